/**
 * Audio/video facts of an upload (§2.3, §5.2: `width`, `height`, `duration`, `bitRate`,
 * `videoCodec`, `audioCodec`) read with ffprobe. Only files that look like media are probed: the
 * name says audio/video, or the first bytes are a media container's. A missing ffprobe or an
 * unreadable file leaves the upload a plain non-image: storing must never fail on a probe.
 */
import { open } from 'node:fs/promises';
import { lookup as mimeLookup } from 'mime-types';
import { FfmpegError } from '../ffmpeg.js';
import { probeMedia } from '../processing/ffprobe.js';

/** The media fields of a version; absent on images, documents and records made before probing. */
export type AvFacts = {
  readonly width: number | null;
  readonly height: number | null;
  /** Whole seconds, rounded, as ImageKit's documented answers show. */
  readonly duration?: number;
  /** Bits per second of the whole file. */
  readonly bitRate?: number;
  readonly videoCodec?: string;
  readonly audioCodec?: string;
  readonly mime: string;
  readonly format: string;
};

/** Container signatures: ISO BMFF (`ftyp` at 4), EBML (Matroska/WebM), Ogg, RIFF (AVI/WAV), MPEG-TS sync, FLAC, ID3. */
function looksLikeMedia(head: Buffer): boolean {
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') return true;
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return true;
  const start = head.subarray(0, 4).toString('latin1');
  return start === 'OggS' || start === 'RIFF' || start === 'fLaC' || start.startsWith('ID3') || (head[0] === 0x47 && head[188] === 0x47);
}

async function headOf(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(192);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const MIME_BY_FORMAT: ReadonlyArray<[RegExp, string, string]> = [
  [/mp4|mov/, 'video/mp4', 'mp4'],
  [/webm|matroska/, 'video/webm', 'webm'],
  [/^ogg$/, 'video/ogg', 'ogg'],
  [/avi/, 'video/x-msvideo', 'avi'],
  [/mpegts/, 'video/mp2t', 'ts'],
];

/**
 * Probes `file` (named `name`) when it looks like audio or video; null otherwise or when ffprobe
 * cannot read it. `log` hears why a probe failed (a missing ffprobe is worth knowing).
 */
export async function probeAv(file: string, name: string, opts: { ffprobePath?: string; log?: (message: string) => void } = {}): Promise<AvFacts | null> {
  const byName = mimeLookup(name) || '';
  if (!/^(video|audio)\//.test(byName) && !looksLikeMedia(await headOf(file))) return null;
  try {
    const info = await probeMedia(file, opts.ffprobePath !== undefined ? { binary: opts.ffprobePath } : {});
    if (info.videoCodec === null && info.audioCodec === null) return null;
    const known = MIME_BY_FORMAT.find(([re]) => re.test(info.formatName));
    const kind = info.videoCodec !== null ? 'video' : 'audio';
    const mime = byName.startsWith(`${kind}/`) ? byName : kind === 'video' && known ? known[1] : byName || `${kind}/${info.formatName.split(',')[0] ?? 'octet-stream'}`;
    const ext = /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase();
    return {
      width: info.width,
      height: info.height,
      ...(info.duration !== null ? { duration: Math.round(info.duration) } : {}),
      ...(info.bitRate !== null ? { bitRate: Math.round(info.bitRate) } : {}),
      ...(info.videoCodec !== null ? { videoCodec: info.videoCodec } : {}),
      ...(info.audioCodec !== null ? { audioCodec: info.audioCodec } : {}),
      mime,
      format: ext ?? known?.[2] ?? info.formatName.split(',')[0] ?? '',
    };
  } catch (err) {
    if (err instanceof FfmpegError) {
      opts.log?.(`ImageKit upload ${name}: no audio/video facts (${err.message})`);
      return null;
    }
    throw err;
  }
}
