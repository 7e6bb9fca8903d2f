/**
 * Filestack `upscale`: twice the width and height by lanczos resampling (the service's
 * super-resolution model is not available offline), with optional noise reduction first
 * (a median filter whose window grows with the `noise` level).
 */
import { FerryError, appError } from '../../../src-shared/errors.js';
import { loadSharp } from './sharp-lazy.js';

/** Options of {@link upscale}. */
export type UpscaleOptions = { readonly enlarge: boolean; readonly noise: 'none' | 'low' | 'medium' | 'high'; readonly maxPixels: number };

const MEDIAN: Readonly<Record<UpscaleOptions['noise'], number>> = { none: 0, low: 3, medium: 5, high: 7 };

/** The upscaled image as lossless PNG; a result over `maxPixels` is refused before rendering. */
export async function upscale(input: Buffer | string, opts: UpscaleOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  const img = sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'error' }).autoOrient();
  const meta = await sharp(input, { limitInputPixels: opts.maxPixels }).metadata();
  const [w, h] = (meta.orientation ?? 1) >= 5 ? [meta.height ?? 1, meta.width ?? 1] : [meta.width ?? 1, meta.height ?? 1];
  const factor = opts.enlarge ? 2 : 1;
  if (w * factor * h * factor > opts.maxPixels) {
    throw new FerryError(appError('payload_too_large', `The upscaled size ${w * factor}x${h * factor} exceeds the local cloud's limit of ${opts.maxPixels} pixels.`));
  }
  const window = MEDIAN[opts.noise];
  const cleaned = window > 0 ? sharp(await img.median(window).png().toBuffer()) : img;
  return (factor === 1 ? cleaned : cleaned.resize(w * factor, h * factor, { kernel: 'lanczos3', fit: 'fill' })).png().toBuffer();
}
