/**
 * What the ImageKit front end learns from stored bytes: the probe done at upload (image or not,
 * size, format, alpha) and the §5.7 metadata object, including a real perceptual hash.
 */
import { lookup as mimeLookup } from 'mime-types';
import { loadSharp } from '../processing/sharp-lazy.js';
import { DEFAULT_MAX_PIXELS } from '../processing/limits.js';
import { renderGate } from '../processing/render-gate.js';
import { probeAv } from './av-probe.js';
import { parseExif } from './exif.js';

/** Result of probing uploaded bytes. */
export type Probe = {
  fileType: 'image' | 'non-image';
  width: number | null;
  height: number | null;
  /** `jpg`, `png`, ... or the file extension for non-images. */
  format: string;
  mime: string;
  hasAlpha: boolean;
  /** Audio/video only (ffprobe): whole seconds, bits per second, codec names. */
  duration?: number;
  bitRate?: number;
  videoCodec?: string;
  audioCodec?: string;
};

/** Options of {@link probe}: where ffprobe is, and who hears that a media probe failed. */
export type ProbeOptions = { readonly ffprobePath?: string; readonly log?: (message: string) => void };

/** The audio/video fields of a probe or version, ready to spread into an answer (§2.3, §5.2). */
export function avFields(p: Probe): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (p.duration !== undefined) out.duration = p.duration;
  if (p.bitRate !== undefined) out.bitRate = p.bitRate;
  if (p.videoCodec !== undefined) out.videoCodec = p.videoCodec;
  if (p.audioCodec !== undefined) out.audioCodec = p.audioCodec;
  return out;
}

/** True for a version with a video stream (ffprobe found one at upload). */
export const isVideo = (p: Probe): boolean => p.videoCodec !== undefined;

const SHARP_FORMATS: Record<string, [string, string]> = {
  jpeg: ['jpg', 'image/jpeg'],
  png: ['png', 'image/png'],
  webp: ['webp', 'image/webp'],
  gif: ['gif', 'image/gif'],
  avif: ['avif', 'image/avif'],
  heif: ['heif', 'image/heif'],
  tiff: ['tiff', 'image/tiff'],
  svg: ['svg', 'image/svg+xml'],
};

/**
 * Probes bytes (a path or a buffer) named `name`; anything sharp cannot read is a non-image, and
 * a file on disk that is audio or video gets its ffprobe facts.
 */
export async function probe(file: string | Buffer, name: string, opts: ProbeOptions = {}): Promise<Probe> {
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? '';
  try {
    const m = await (await loadSharp())(file, { failOn: 'error' }).metadata();
    const f = m.format === 'heif' && m.compression === 'av1' ? 'avif' : (m.format ?? '');
    const known = SHARP_FORMATS[f];
    if (known && m.width !== undefined && m.height !== undefined) {
      return { fileType: 'image', width: m.width, height: m.height, format: known[0], mime: known[1], hasAlpha: m.hasAlpha ?? false };
    }
  } catch {
    // Not an image sharp can read: fall through to a non-image record.
  }
  const av = typeof file === 'string' ? await probeAv(file, name, opts) : null;
  if (av) return { fileType: 'non-image', hasAlpha: false, ...av };
  const mime = mimeLookup(name) || 'application/octet-stream';
  return { fileType: 'non-image', width: null, height: null, format: ext, mime, hasAlpha: false };
}

/** DCT-II basis cos((2x+1)uπ/2N) for N = 32, u < 8 (only the low frequencies are needed). */
const COS = Array.from({ length: 8 }, (_, u) => Array.from({ length: 32 }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / 64)));

/**
 * 64-bit perceptual hash: 32×32 greyscale, 2-D DCT, the 8×8 lowest frequencies, each bit =
 * coefficient above their median (the DC term is left out of the median so overall brightness
 * does not skew it). 16 lowercase hex digits, as ImageKit's `pHash`.
 */
export async function computePHash(input: string | Buffer, pixels = DEFAULT_MAX_PIXELS): Promise<string> {
  // It decodes the whole image, so it waits its turn with the renders.
  const sharp = await loadSharp();
  const { data } = await renderGate.run(pixels, () =>
    sharp(input).flatten({ background: '#ffffff' }).greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true }),
  );
  // Separable DCT: rows first (32 rows × 8 frequencies), then columns.
  const rows: number[][] = [];
  for (let y = 0; y < 32; y++) {
    rows.push(COS.map((basis) => basis.reduce((sum, c, x) => sum + c * (data[y * 32 + x] ?? 0), 0)));
  }
  const coeffs: number[] = [];
  for (let v = 0; v < 8; v++) {
    const basis = COS[v] ?? [];
    for (let u = 0; u < 8; u++) coeffs.push(basis.reduce((sum, c, y) => sum + c * (rows[y]?.[u] ?? 0), 0));
  }
  const sorted = coeffs.slice(1).sort((a, b) => a - b);
  const median = ((sorted[31] ?? 0) + (sorted[32] ?? 0)) / 2;
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let nibble = 0;
    for (let b = 0; b < 4; b++) nibble = (nibble << 1) | ((coeffs[i + b] ?? 0) > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

/** §5.7 metadata object of stored bytes (`size` in bytes). Video adds its codecs, duration and bit rate. */
export async function metadataOf(file: string | Buffer, size: number, p: Probe): Promise<Record<string, unknown>> {
  if (isVideo(p)) return { height: p.height, width: p.width, size, format: p.format, ...avFields(p) };
  if (p.fileType !== 'image') return { size, format: p.format, ...avFields(p) };
  const m = await (await loadSharp())(file).metadata();
  return {
    height: p.height,
    width: p.width,
    size,
    format: p.format,
    hasColorProfile: m.icc !== undefined,
    quality: 0,
    density: m.density ?? 72,
    hasTransparency: p.hasAlpha,
    exif: parseExif(m.exif),
    pHash: await computePHash(file, (p.width ?? 0) * (p.height ?? 0)),
  };
}
