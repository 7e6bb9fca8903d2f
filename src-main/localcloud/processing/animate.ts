/**
 * Filestack `animate`: an animated GIF with one frame per source image. Every frame is fitted
 * into the same box (the given width/height, else the first image's size) and padded with the
 * background, so frames of different sizes line up.
 */
import { FerryError, appError } from '../../../src-shared/errors.js';
import { SHARP_GRAVITY } from './gravity.js';
import type { Fit, FixedGravity } from './ops.js';
import { orientedSize } from './oriented-size.js';
import { loadSharp } from './sharp-lazy.js';

/** Options of {@link animate}. */
export type AnimateOptions = {
  readonly width?: number;
  readonly height?: number;
  /** sharp fit of each frame in the box. */
  readonly fit: Fit;
  readonly position: FixedGravity;
  /** Pad colour (sharp colour string). */
  readonly background: string;
  /** Milliseconds each frame shows. */
  readonly delay: number;
  /** Times to play, 0 = for ever. */
  readonly loop: number;
  readonly maxPixels: number;
};

/** The GIF bytes. */
export async function animate(frames: readonly (Buffer | string)[], opts: AnimateOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  const first = frames[0];
  if (first === undefined) throw new FerryError(appError('bad_request', 'animate needs at least one image.'));
  const [fw, fh] = orientedSize(await sharp(first, { limitInputPixels: opts.maxPixels }).metadata());
  const width = opts.width ?? (opts.height !== undefined ? Math.round((fw * opts.height) / fh) : fw);
  const height = opts.height ?? Math.round((fh * width) / fw);
  if (width * height * frames.length > opts.maxPixels) {
    throw new FerryError(appError('payload_too_large', `${frames.length} frames of ${width}x${height} exceed the local cloud's limit of ${opts.maxPixels} pixels.`));
  }
  // One frame decoded at a time; the raw frames together stay under the pixel cap checked above.
  const raw: Buffer[] = [];
  for (const src of frames) {
    const fitted = await sharp(src, { limitInputPixels: opts.maxPixels, failOn: 'error' })
      .autoOrient()
      .resize(width, height, { fit: opts.fit, position: SHARP_GRAVITY[opts.position], background: opts.background })
      .png()
      .toBuffer();
    // Pad whatever `inside` / `outside` left over to the exact frame size.
    raw.push(await sharp(fitted).resize(width, height, { fit: 'contain', position: SHARP_GRAVITY[opts.position], background: opts.background }).ensureAlpha().raw().toBuffer());
  }
  return sharp(Buffer.concat(raw), { raw: { width, height: height * frames.length, channels: 4, pageHeight: height } })
    .gif({ delay: frames.map(() => opts.delay), loop: opts.loop })
    .toBuffer();
}
