/**
 * Turns `video_convert` parameters (spec §7.4, §8) into ffmpeg arguments. Presets map to a
 * container + codecs this machine's ffmpeg has; geometry follows Filestack's `aspect_mode`
 * semantics as documented (preserve / constrain / letterbox|pad / crop). Validation of the
 * parameter values themselves is validateStep's job (src-shared/filestack/tasks.ts).
 */
import type { TaskValue } from '../../../src-shared/filestack/types.js';

/** What one preset produces. */
type PresetSpec = {
  readonly ext: string;
  readonly mimetype: string;
  readonly kind: 'video' | 'audio' | 'image';
  /** Codec arguments (after the input, before the output path). */
  readonly codec: readonly string[];
  /** ffmpeg muxer name (`-f`), so the temp file name needs no extension. */
  readonly format: string;
};

const H264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'];
const MP4: PresetSpec = { ext: 'mp4', mimetype: 'video/mp4', kind: 'video', codec: [...H264, '-movflags', '+faststart'], format: 'mp4' };
// libvpx at realtime speed: the local cloud favours quick answers over the last bit of quality.
const WEBM: PresetSpec = { ext: 'webm', mimetype: 'video/webm', kind: 'video', codec: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-c:a', 'libvorbis'], format: 'webm' };
const OGG: PresetSpec = { ext: 'ogv', mimetype: 'video/ogg', kind: 'video', codec: ['-c:v', 'libtheora', '-q:v', '6', '-c:a', 'libvorbis'], format: 'ogg' };

/** Presets the local cloud renders; `hls.*` (multi-file playlists) are refused with a message. */
const PRESETS: Readonly<Record<string, PresetSpec>> = {
  h264: MP4,
  'h264.hi': { ...MP4, codec: [...MP4.codec, '-crf', '18'] },
  mp4: MP4,
  iphone: MP4,
  ipad: MP4,
  android: MP4,
  webm: WEBM,
  'webm.hi': { ...WEBM, codec: WEBM.codec.map((a) => (a === '1M' ? '3M' : a)) },
  ogg: OGG,
  'ogg.hi': { ...OGG, codec: OGG.codec.map((a) => (a === '6' ? '9' : a)) },
  m4a: { ext: 'm4a', mimetype: 'audio/mp4', kind: 'audio', codec: ['-c:a', 'aac'], format: 'ipod' },
  aac: { ext: 'm4a', mimetype: 'audio/mp4', kind: 'audio', codec: ['-c:a', 'aac'], format: 'ipod' },
  mp3: { ext: 'mp3', mimetype: 'audio/mpeg', kind: 'audio', codec: ['-c:a', 'libmp3lame'], format: 'mp3' },
  flac: { ext: 'flac', mimetype: 'audio/flac', kind: 'audio', codec: ['-c:a', 'flac'], format: 'flac' },
  oga: { ext: 'oga', mimetype: 'audio/ogg', kind: 'audio', codec: ['-c:a', 'libvorbis'], format: 'ogg' },
  jpg: { ext: 'jpg', mimetype: 'image/jpeg', kind: 'image', codec: ['-frames:v', '1', '-c:v', 'mjpeg'], format: 'image2' },
  png: { ext: 'png', mimetype: 'image/png', kind: 'image', codec: ['-frames:v', '1', '-c:v', 'png'], format: 'image2' },
};

/** Default when the URL names no preset (our choice: the most widely playable output). */
export const DEFAULT_PRESET = 'mp4';

/** A conversion plan: the ffmpeg argument list around the input/output and the result's shape. */
export type AvPlan = {
  readonly preset: string;
  /** Arguments before `-i` (seek). */
  readonly inputArgs: readonly string[];
  /** Arguments after the input and before the output path. */
  readonly outputArgs: readonly string[];
  readonly ext: string;
  readonly mimetype: string;
  /** Name of the stored result. */
  readonly filename: string;
};

type Params = Readonly<Record<string, TaskValue>>;

const num = (v: TaskValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
const truthy = (v: TaskValue | undefined): boolean => v === true || v === 'true';
const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/** `HH:MM:SS(.ms)`, `MM:SS` or plain seconds → seconds; null when it is none of these. */
export function parseClipTime(v: TaskValue | undefined): number | null {
  if (typeof v === 'number') return v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(v.trim());
  if (!m) return null;
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** The scale/pad/crop filter for `width`/`height`/`aspect_mode`/`upscale`; null = keep size. */
export function geometryFilter(params: Params): string | null {
  const w0 = num(params.width);
  const h0 = num(params.height);
  if (w0 === undefined && h0 === undefined) return null;
  const upscale = params.upscale === undefined ? true : truthy(params.upscale);
  // H.264 in yuv420p needs even dimensions, so requested sizes are rounded down to even.
  const w = w0 !== undefined ? even(w0) : undefined;
  const h = h0 !== undefined ? even(h0) : undefined;
  const cap = (target: number, axis: 'iw' | 'ih'): string => (upscale ? String(target) : `min(${target}\\,${axis})`);
  if (w === undefined || h === undefined) {
    const sw = w !== undefined ? cap(w, 'iw') : '-2';
    const sh = h !== undefined ? cap(h, 'ih') : '-2';
    return `scale=${sw}:${sh}`;
  }
  const mode = typeof params.aspect_mode === 'string' ? params.aspect_mode : 'preserve';
  const fitInside = `scale=${cap(w, 'iw')}:${cap(h, 'ih')}:force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2`;
  switch (mode) {
    case 'letterbox':
    case 'pad':
      return `${fitInside},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2`;
    case 'crop':
      return `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`;
    case 'constrain':
      // Constrain never enlarges, whatever `upscale` says.
      return `scale=min(${w}\\,iw):min(${h}\\,ih):force_original_aspect_ratio=decrease,scale=trunc(iw/2)*2:trunc(ih/2)*2`;
    default:
      return fitInside;
  }
}

function stripExt(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Builds the plan or returns a message naming the unsupported/invalid parameter. */
export function planConversion(params: Params, sourceFilename: string): AvPlan | { error: string } {
  const preset = typeof params.preset === 'string' ? params.preset : DEFAULT_PRESET;
  const spec = PRESETS[preset];
  if (!spec) return { error: `The local cloud cannot render preset "${preset}" (supported: ${Object.keys(PRESETS).join(', ')}).` };
  const inputArgs: string[] = [];
  const out: string[] = [];
  const offset = params.clip_offset === undefined ? 0 : parseClipTime(params.clip_offset);
  if (offset === null) return { error: 'clip_offset must be seconds or HH:MM:SS.' };
  if (offset > 0) inputArgs.push('-ss', String(offset));
  if (params.clip_length !== undefined) {
    const length = parseClipTime(params.clip_length);
    if (length === null || length <= 0) return { error: 'clip_length must be a positive number of seconds or HH:MM:SS.' };
    out.push('-t', String(length));
  }
  if (spec.kind === 'audio') out.push('-vn');
  out.push(...spec.codec);
  if (spec.kind !== 'audio') {
    const filter = geometryFilter(params);
    if (filter) out.push('-vf', filter);
  }
  if (spec.kind === 'video') {
    const vb = num(params.video_bitrate);
    if (vb !== undefined) out.push('-b:v', `${vb}k`);
    const fps = num(params.fps);
    if (fps !== undefined) out.push('-r', String(fps));
    const gop = num(params.keyframe_interval);
    if (gop !== undefined) out.push('-g', String(gop));
  }
  if (spec.kind !== 'image') {
    const ab = num(params.audio_bitrate);
    if (ab !== undefined) out.push('-b:a', `${ab}k`);
    const ar = num(params.audio_sample_rate);
    if (ar !== undefined) out.push('-ar', String(ar));
    const ac = num(params.audio_channels);
    if (ac !== undefined) out.push('-ac', String(ac));
  }
  if (typeof params.title === 'string') out.push('-metadata', `title=${params.title}`);
  out.push('-f', spec.format);
  const extParam = typeof params.extname === 'string' ? params.extname.replace(/^\./, '') : undefined;
  const ext = extParam && /^[A-Za-z0-9]{1,10}$/.test(extParam) ? extParam : spec.ext;
  const filename = typeof params.filename === 'string' && params.filename.trim() !== '' ? params.filename : `${stripExt(sourceFilename)}.${ext}`;
  return { preset, inputArgs, outputArgs: out, ext, mimetype: spec.mimetype, filename };
}
