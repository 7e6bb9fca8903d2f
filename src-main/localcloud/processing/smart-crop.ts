/**
 * The `smartCrop` op (Filestack `smart_crop`): a `width`×`height` cut around the most interesting
 * part of the image (sharp's attention strategy: skin tones, saturation, edges). An image smaller
 * than the box is not enlarged: it is centred on `fill` instead. {@link smartCropArea} answers
 * where the cut is made (Filestack's `coords:true`).
 */
import { assertFits, type Stage } from './op-stages.js';
import type { ImageOp } from './ops.js';
import { loadSharp } from './sharp-lazy.js';

/** The area taken from the image, in its pixels. */
export type CropArea = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

/** Scale (≤ 1, so the box is covered without enlarging) and the cut size at that scale. */
export function smartCropPlan(width: number, height: number, box: { width: number; height: number }): { scale: number; cutWidth: number; cutHeight: number } {
  const scale = Math.min(1, Math.max(box.width / width, box.height / height));
  return { scale, cutWidth: Math.min(box.width, Math.max(1, Math.round(width * scale))), cutHeight: Math.min(box.height, Math.max(1, Math.round(height * scale))) };
}

/** The stages: cut with attention, then pad to the box when the image was smaller. */
export function smartCropStages(op: Extract<ImageOp, { op: 'smartCrop' }>): Stage[] {
  return [
    (img, inp) => {
      const plan = smartCropPlan(inp.width, inp.height, op);
      return img.resize(plan.cutWidth, plan.cutHeight, { fit: 'cover', position: 'attention' });
    },
    (img, inp) => {
      if (inp.width >= op.width && inp.height >= op.height) return img;
      assertFits(op.width, op.height, inp);
      const [dx, dy] = [op.width - inp.width, op.height - inp.height];
      return img.extend({ left: Math.floor(dx / 2), right: Math.ceil(dx / 2), top: Math.floor(dy / 2), bottom: Math.ceil(dy / 2), background: op.fill });
    },
  ];
}

/** Where {@link smartCropStages} would cut `input` (bytes or a path), in the input's pixels. */
export async function smartCropArea(input: Buffer | string, box: { width: number; height: number }, maxPixels: number): Promise<CropArea> {
  const sharp = await loadSharp();
  const meta = await sharp(input, { limitInputPixels: maxPixels }).metadata();
  const plan = smartCropPlan(meta.width ?? 1, meta.height ?? 1, box);
  const { info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'error' })
    .resize(plan.cutWidth, plan.cutHeight, { fit: 'cover', position: 'attention' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const offsets = info as typeof info & { cropOffsetLeft?: number; cropOffsetTop?: number };
  return {
    x: Math.round(Math.abs(offsets.cropOffsetLeft ?? 0) / plan.scale),
    y: Math.round(Math.abs(offsets.cropOffsetTop ?? 0) / plan.scale),
    width: Math.round(plan.cutWidth / plan.scale),
    height: Math.round(plan.cutHeight / plan.scale),
  };
}
