/**
 * The `overlay` op (Filestack `watermark`): another stored image laid over this one at
 * `sizePercent` of the overlay's own size, shrunk further only when it would not fit, at a fixed
 * gravity. The overlay is opened under the same pixel cap as the image.
 */
import type { Stage } from './op-stages.js';
import type { ImageOp } from './ops.js';
import { SHARP_GRAVITY } from './gravity.js';
import { orientedSize } from './oriented-size.js';
import { loadSharp } from './sharp-lazy.js';

/**
 * The stages of one overlay op: the composite, then (for an opaque base) dropping the alpha
 * channel compositing adds, so a JPEG stays a JPEG.
 */
export function overlayStages(op: Extract<ImageOp, { op: 'overlay' }>): Stage[] {
  let baseHadAlpha = true;
  const composite: Stage = async (img, inp) => {
    baseHadAlpha = inp.hasAlpha;
    const sharp = await loadSharp();
    const open = (): ReturnType<typeof sharp> => sharp(op.file, { limitInputPixels: inp.maxPixels, failOn: 'error' });
    const [ow, oh] = orientedSize(await open().metadata());
    const scale = Math.min(op.sizePercent / 100, inp.width / ow, inp.height / oh);
    const mark = await open()
      .autoOrient()
      .resize(Math.max(1, Math.floor(ow * scale)), Math.max(1, Math.floor(oh * scale)), { fit: 'fill' })
      .png()
      .toBuffer();
    return img.composite([{ input: mark, gravity: SHARP_GRAVITY[op.position] }]);
  };
  return [composite, (img) => (baseHadAlpha ? img : img.removeAlpha())];
}
