/**
 * Reads a media file's facts with ffprobe (spawned without a shell; output and time bounded):
 * dimensions, duration, bit rate and codecs, as the ImageKit file object reports them (§5.2).
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { FfmpegError } from '../ffmpeg.js';

/** Default binary; resolved through PATH by spawn. */
export const DEFAULT_FFPROBE = 'ffprobe';

/** What ffprobe found. Sizes in pixels (display orientation), duration in seconds, bitRate in bits/s. */
export type MediaInfo = {
  readonly width: number | null;
  readonly height: number | null;
  readonly duration: number | null;
  readonly bitRate: number | null;
  /** ffprobe codec names: `h264`, `vp9`, `aac`, `opus`...; null when the stream is absent. */
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  /** ffprobe's container list, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  readonly formatName: string;
};

export type ProbeOptions = { readonly binary?: string; readonly signal?: AbortSignal };

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  duration: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).partial()).optional(),
});
const outputSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({ format_name: z.string().default(''), duration: z.string().optional(), bit_rate: z.string().optional() }).partial().default({}),
});

/** Most bytes of ffprobe JSON read (a file with thousands of streams is not a video we serve). */
const MAX_OUTPUT = 1024 * 1024;
/** ffprobe reads headers only; a stuck probe (a FIFO, a broken mount) is cut off. */
const TIMEOUT_MS = 20_000;

const num = (s: string | undefined): number | null => {
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

function runProbe(file: string, opts: ProbeOptions): Promise<string> {
  const binary = opts.binary ?? DEFAULT_FFPROBE;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true });
    let out = '';
    let err = '';
    let failure: FfmpegError | null = null;
    const stop = (why: FfmpegError): void => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new FfmpegError('failed', `ffprobe took longer than ${TIMEOUT_MS / 1000} s.`)), TIMEOUT_MS);
    const onAbort = (): void => stop(new FfmpegError('aborted', 'The probe was canceled.'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.length > MAX_OUTPUT) stop(new FfmpegError('failed', 'ffprobe printed more than 1 MiB.'));
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-2000);
    });
    let settled = false;
    const settle = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code !== 0) reject(new FfmpegError('failed', `ffprobe exited with ${code ?? 'a signal'}: ${err.trim().split('\n').pop() ?? ''}`, err));
      else resolve(out);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= new FfmpegError(e.code === 'ENOENT' || e.code === 'EACCES' ? 'missing' : 'failed', `ffprobe could not be started ("${binary}": ${e.code ?? e.message}).`);
      // A binary that never started emits no 'close' on every Node version: settle here.
      if (child.pid === undefined) settle(null);
    });
    child.on('close', settle);
  });
}

/**
 * Probes `file`. Rejects with FfmpegError (`missing` when ffprobe is not installed, `failed`
 * when it cannot read the file). A cover picture (`attached_pic`) is not a video stream.
 */
export async function probeMedia(file: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const raw = await runProbe(file, opts);
  let parsed: z.infer<typeof outputSchema>;
  try {
    parsed = outputSchema.parse(JSON.parse(raw));
  } catch {
    throw new FfmpegError('failed', 'ffprobe printed something that is not its JSON.');
  }
  const video = parsed.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = parsed.streams.find((s) => s.codec_type === 'audio');
  // Phones store portrait video as landscape plus a rotation; report what a viewer sees.
  const rotation = Math.abs(Number(video?.tags?.rotate ?? video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0)) % 180;
  const [w, h] = rotation === 90 ? [video?.height, video?.width] : [video?.width, video?.height];
  return {
    width: w ?? null,
    height: h ?? null,
    duration: num(parsed.format.duration) ?? num(video?.duration) ?? num(audio?.duration),
    bitRate: num(parsed.format.bit_rate),
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    formatName: parsed.format.format_name ?? '',
  };
}
