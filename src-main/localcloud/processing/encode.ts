/**
 * The output side of a render: the settings an op list asks for (format, quality, metadata,
 * compression; last one wins) and the sharp encoder that writes them.
 */
import type { Sharp } from 'sharp';
import { FerryError, appError } from '../../../src-shared/errors.js';
import type { ImageOp, OutputFormat } from './ops.js';

export const MIMETYPES: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/heif',
};
const ALPHA_FORMATS = new Set(['png', 'webp', 'avif', 'gif', 'tiff', 'heif']);

/** Output settings collected from the op list. */
export type Output = { readonly format?: string; readonly quality?: number; readonly strip: boolean; readonly compress: boolean };

const normalizeFormat = (f: OutputFormat | string): string => (f === 'jpg' ? 'jpeg' : f);

/** Reads the output-only ops (format, quality, stripMetadata, compress) of a list. */
export function outputOf(ops: readonly ImageOp[]): Output {
  let out: Output = { strip: false, compress: false };
  for (const op of ops) {
    if (op.op === 'format') out = { ...out, format: normalizeFormat(op.format) };
    else if (op.op === 'quality') out = { ...out, quality: Math.round(Math.min(100, Math.max(1, op.value))) };
    else if (op.op === 'stripMetadata') out = { ...out, strip: true };
    else if (op.op === 'compress') out = { ...out, compress: true };
  }
  return out;
}

/**
 * The format a render writes: the explicit one, else the input's (png for formats we cannot
 * write), switched to png when the result has alpha the input's format cannot hold.
 * `hasAlpha` undefined = not known yet: then the answer is final only if it is not jpeg.
 */
export function outputFormat(out: Output, inputFormat: string, hasAlpha?: boolean): string {
  const format = out.format ?? (MIMETYPES[inputFormat] !== undefined && inputFormat !== 'heif' ? inputFormat : 'png');
  return out.format === undefined && hasAlpha === true && !ALPHA_FORMATS.has(format) ? 'png' : format;
}

/** Configures the encoder for `format`; metadata is kept unless the ops strip it. */
export function encode(img: Sharp, out: Output, format: string, hasAlpha: boolean): Sharp {
  const q = out.quality;
  const withQ = q !== undefined ? { quality: q } : {};
  if (!out.strip) img = img.keepMetadata();
  switch (format) {
    case 'jpeg':
      // JPEG has no alpha: flatten onto white rather than let transparent pixels turn black.
      return (hasAlpha ? img.flatten({ background: '#ffffff' }) : img).jpeg({ ...withQ, mozjpeg: out.compress });
    case 'png':
      return img.png({ compressionLevel: out.compress ? 9 : 6, ...(q !== undefined ? { palette: true, quality: q } : {}) });
    case 'webp':
      return img.webp({ ...withQ, effort: out.compress ? 6 : 4 });
    case 'avif':
      return img.avif({ ...withQ, effort: 2 });
    case 'heif':
      return img.heif({ ...withQ, compression: 'av1', effort: 2 });
    case 'gif':
      return img.gif();
    case 'tiff':
      return img.tiff(withQ);
    default:
      throw new FerryError(appError('unsupported', `The local cloud cannot write "${format}" images.`));
  }
}
