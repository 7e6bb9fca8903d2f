/**
 * ffmpeg argument lists for the video plans of src-shared/imagekit/video-ops.ts: a transcode to
 * mp4/webm, one still frame, and an HLS set with several renditions. Pure functions (no spawn),
 * so the exact arguments are testable. Encoders favour speed (x264 veryfast, VP9 realtime):
 * the local cloud renders on demand on a desktop, not for a CDN's storage.
 */
import type { VideoDim, VideoPlan } from '../../../src-shared/imagekit/video-ops.js';

/** What the transcode needs to know about the source (from the upload's ffprobe). */
export type SourceFacts = { readonly width: number | null; readonly height: number | null; readonly hasAudio: boolean };

const ENCODERS: Record<VideoPlan['videoCodec'], string[]> = {
  h264: ['-c:v', 'libx264', '-preset', 'veryfast'],
  vp9: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-b:v', '0'],
  av1: ['-c:v', 'libaom-av1', '-cpu-used', '8', '-row-mt', '1', '-b:v', '0'],
};

/** ImageKit's q (1–100, higher is better) onto each encoder's CRF scale; defaults when absent. */
function crf(plan: VideoPlan): string {
  const q = plan.quality;
  if (plan.videoCodec === 'h264') return String(q === undefined ? 23 : Math.round(18 + ((100 - q) * 33) / 99));
  return String(q === undefined ? 34 : Math.round(15 + ((100 - q) * 48) / 99));
}

const side = (d: VideoDim, input: 'iw' | 'ih'): string => ('px' in d ? String(d.px) : `trunc(${input}*${d.fraction}/2)*2`);

/** The `-vf` chain for the plan's size and fit, or null when the size stays. */
export function scaleFilter(plan: VideoPlan): string | null {
  let { width, height } = plan;
  // `ar` with one side derives the other from it; with neither, from the source's width.
  if (plan.aspectRatio !== undefined && (width === undefined) !== (height === undefined)) {
    if (width && 'px' in width) height = { px: Math.max(2, Math.round(width.px / plan.aspectRatio / 2) * 2) };
    else if (height && 'px' in height) width = { px: Math.max(2, Math.round((height.px * plan.aspectRatio) / 2) * 2) };
  }
  if (!width && !height) return null;
  if (!width || !height) return width ? `scale=${side(width, 'iw')}:-2` : `scale=-2:${side(height as VideoDim, 'ih')}`;
  let w = side(width, 'iw');
  let h = side(height, 'ih');
  if (plan.withoutEnlargement) [w, h] = [`min(${w},iw)`, `min(${h},ih)`];
  const keep = (mode: 'increase' | 'decrease'): string => `scale='${w}':'${h}':force_original_aspect_ratio=${mode}:force_divisible_by=2`;
  switch (plan.fit) {
    case 'fill':
      return `scale=${w}:${h},setsar=1`;
    case 'inside':
      return keep('decrease');
    case 'outside':
      return keep('increase');
    case 'pad':
      return `${keep('decrease')},pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=${plan.background}`;
    case 'cover':
      return `${keep('increase')},crop=${w}:${h}`;
  }
}

/** Seek and length options: `-ss` before the input (fast, exact with re-encoding), `-t` after. */
function timing(plan: VideoPlan): { before: string[]; after: string[] } {
  const start = plan.startOffset ?? 0;
  const lengths = [plan.duration, plan.endOffset !== undefined ? plan.endOffset - start : undefined].filter((n): n is number => n !== undefined);
  return { before: start > 0 ? ['-ss', String(start)] : [], after: lengths.length > 0 ? ['-t', String(Math.min(...lengths))] : [] };
}

/** Arguments to transcode `input` into `output` (a path whose container the plan names). */
export function transcodeArgs(plan: VideoPlan, src: SourceFacts, input: string, output: string): string[] {
  const t = timing(plan);
  const vf = scaleFilter(plan);
  const audio =
    plan.audioCodec === 'none' || !src.hasAudio
      ? ['-an']
      : ['-map', '0:a:0', ...(plan.audioCodec === 'aac' ? ['-c:a', 'aac', '-b:a', '128k'] : ['-c:a', 'libopus', '-b:a', '96k'])];
  return [
    ...t.before,
    '-i', input,
    ...t.after,
    '-map', '0:v:0',
    ...(vf ? ['-vf', vf] : []),
    ...ENCODERS[plan.videoCodec],
    '-crf', crf(plan),
    '-pix_fmt', 'yuv420p',
    ...audio,
    ...(plan.format === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'webm']),
    '-y', output,
  ];
}

/** Arguments to write the frame at `at` seconds as a PNG to `output`. */
export function frameArgs(at: number, input: string, output: string): string[] {
  return [...(at > 0 ? ['-ss', String(at)] : []), '-i', input, '-map', '0:v:0', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-y', output];
}

/** Video bit rate per rendition height (kbit/s), for the master playlist's BANDWIDTH. */
const RENDITION_KBPS: Readonly<Record<number, number>> = { 240: 400, 360: 800, 480: 1200, 720: 2500, 1080: 4500, 1440: 8000, 2160: 14000 };

/**
 * The renditions to make: the requested heights no taller than the source (upscaling adds bytes,
 * not detail), and at least the smallest one requested.
 */
export function renditionHeights(requested: readonly number[], sourceHeight: number | null): number[] {
  const fits = requested.filter((h) => sourceHeight === null || h <= sourceHeight);
  return fits.length > 0 ? fits : requested.slice(0, 1);
}

/**
 * Arguments for one ffmpeg run that writes an HLS set into `dir`: `<h>p.m3u8` per rendition, its
 * `<h>p_NNN.ts` segments and `master.m3u8`. Keyframes every 2 s align the renditions' segments.
 */
export function hlsArgs(plan: VideoPlan, heights: readonly number[], src: SourceFacts, input: string, dir: string): string[] {
  const t = timing(plan);
  const n = heights.length;
  const split = `[0:v]split=${n}${heights.map((_, i) => `[s${i}]`).join('')}`;
  const scales = heights.map((h, i) => `[s${i}]scale=-2:${h}[v${i}]`);
  const audio = src.hasAudio && plan.audioCodec !== 'none';
  const maps = heights.flatMap((_, i) => ['-map', `[v${i}]`, ...(audio ? ['-map', '0:a:0'] : [])]);
  const rates = heights.flatMap((h, i) => [`-b:v:${i}`, `${RENDITION_KBPS[h] ?? 1000}k`, `-maxrate:v:${i}`, `${Math.round((RENDITION_KBPS[h] ?? 1000) * 1.5)}k`, `-bufsize:v:${i}`, `${(RENDITION_KBPS[h] ?? 1000) * 2}k`]);
  const streamMap = heights.map((h, i) => `v:${i}${audio ? `,a:${i}` : ''},name:${h}p`).join(' ');
  return [
    ...t.before,
    '-i', input,
    ...t.after,
    '-filter_complex', [split, ...scales].join(';'),
    ...maps,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    ...rates,
    '-force_key_frames', 'expr:gte(t,n_forced*2)',
    ...(audio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod',
    '-hls_segment_filename', `${dir}/%v_%03d.ts`,
    '-master_pl_name', 'master.m3u8',
    '-var_stream_map', streamMap,
    `${dir}/%v.m3u8`,
  ];
}
