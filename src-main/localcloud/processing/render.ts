/**
 * Renders an image through an ImageOp list with sharp. Every op gets its own pipeline and the
 * image is materialised between them as uncompressed PNG carrying the input's metadata, so ops
 * apply exactly in list order and EXIF survives unless `stripMetadata` asks otherwise.
 */
import { loadSharp } from './sharp-lazy.js';
import type { Sharp } from 'sharp';
import { FerryError, appError } from '../../../src-shared/errors.js';
import type { ImageOp, OutputFormat } from './ops.js';
import { stagesFor } from './op-stages.js';
import type { StageInput } from './op-stages.js';

/** A rendered image. `format` is sharp's name (jpeg, png, webp, avif, gif, tiff, heif). */
export type RenderedImage = {
  readonly data: Buffer;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly mimetype: string;
};

/** Options of {@link renderImage}. */
export type RenderOptions = {
  readonly signal?: AbortSignal;
  /** Largest input (and intermediate/output) image in pixels; default 50 MP. */
  readonly maxPixels?: number;
};

/** Default pixel limit: a 50 MP photo renders, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

const MIMETYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/heif',
};
const ALPHA_FORMATS = new Set(['png', 'webp', 'avif', 'gif', 'tiff', 'heif']);

/** Output settings collected from the op list (last one wins). */
type Output = { format?: string; quality?: number; strip: boolean; compress: boolean };

function outputOf(ops: readonly ImageOp[]): Output {
  const out: Output = { strip: false, compress: false };
  for (const op of ops) {
    if (op.op === 'format') out.format = normalizeFormat(op.format);
    else if (op.op === 'quality') out.quality = Math.round(Math.min(100, Math.max(1, op.value)));
    else if (op.op === 'stripMetadata') out.strip = true;
    else if (op.op === 'compress') out.compress = true;
  }
  return out;
}

const normalizeFormat = (f: OutputFormat | string): string => (f === 'jpg' ? 'jpeg' : f);

/** Maps sharp's failures to typed errors a front end can answer with. */
export function toRenderError(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new FerryError(appError('payload_too_large', `The image is too large to process: ${message}.`));
  }
  if (/unsupported image format|missing|corrupt|premature end|bad seek|not a known file format|load/i.test(message)) {
    return new FerryError(appError('unsupported', `The file is not an image the local cloud can process (${message}).`));
  }
  return new FerryError(appError('bad_request', `Image processing failed: ${message}.`));
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FerryError(appError('aborted', 'The image render was canceled.'));
}

/** Picks the encoder: explicit format, else the input's (png when alpha would be lost). */
function encode(img: Sharp, out: Output, inputFormat: string, hasAlpha: boolean): { img: Sharp; format: string } {
  let format = out.format ?? (MIMETYPES[inputFormat] !== undefined && inputFormat !== 'heif' ? inputFormat : 'png');
  if (out.format === undefined && hasAlpha && !ALPHA_FORMATS.has(format)) format = 'png';
  const q = out.quality;
  const withQ = q !== undefined ? { quality: q } : {};
  if (!out.strip) img = img.keepMetadata();
  switch (format) {
    case 'jpeg':
      // JPEG has no alpha: flatten onto white rather than let transparent pixels turn black.
      return { img: (hasAlpha ? img.flatten({ background: '#ffffff' }) : img).jpeg({ ...withQ, mozjpeg: out.compress }), format };
    case 'png':
      return { img: img.png({ compressionLevel: out.compress ? 9 : 6, ...(q !== undefined ? { palette: true, quality: q } : {}) }), format };
    case 'webp':
      return { img: img.webp({ ...withQ, effort: out.compress ? 6 : 4 }), format };
    case 'avif':
      return { img: img.avif({ ...withQ, effort: 2 }), format };
    case 'heif':
      return { img: img.heif({ ...withQ, compression: 'av1', effort: 2 }), format };
    case 'gif':
      return { img: img.gif(), format };
    case 'tiff':
      return { img: img.tiff(withQ), format };
    default:
      throw new FerryError(appError('unsupported', `The local cloud cannot write "${format}" images.`));
  }
}

/** Renders `input` (a file path or bytes) through `ops`, in order. */
export async function renderImage(input: string | Buffer, ops: readonly ImageOp[], opts: RenderOptions = {}): Promise<RenderedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const sharp = await loadSharp();
  const load = (src: string | Buffer): Sharp => sharp(src, { limitInputPixels: maxPixels, failOn: 'error' });
  const out = outputOf(ops);
  try {
    checkAbort(opts.signal);
    const meta = await load(input).metadata();
    // AVIF reports itself as heif/av1; write it back as avif (HEVC encoding is not available).
    const inputFormat = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : (meta.format ?? '');
    if (meta.width === undefined || meta.height === undefined) {
      throw new FerryError(appError('unsupported', `The local cloud cannot process "${inputFormat || 'unknown'}" images.`));
    }
    let current: string | Buffer = input;
    let state: StageInput = { width: meta.width, height: meta.height, hasAlpha: meta.hasAlpha ?? false, maxPixels };
    for (const stage of ops.flatMap(stagesFor)) {
      checkAbort(opts.signal);
      let img = stage(load(current), state);
      if (!out.strip) img = img.keepMetadata();
      const { data, info } = await img.png({ compressionLevel: 0 }).toBuffer({ resolveWithObject: true });
      current = data;
      state = { width: info.width, height: info.height, hasAlpha: info.channels === 2 || info.channels === 4, maxPixels };
    }
    checkAbort(opts.signal);
    const { img, format } = encode(load(current), out, inputFormat, state.hasAlpha);
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    return { data, format, width: info.width, height: info.height, mimetype: MIMETYPES[format] ?? 'application/octet-stream' };
  } catch (err) {
    throw toRenderError(err);
  }
}
