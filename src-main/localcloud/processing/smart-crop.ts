/**
 * Filestack `smart_crop`: a `width`×`height` cut around the most interesting part of the image
 * (sharp's attention strategy: skin tones, saturation, edges). An image smaller than the box is
 * not enlarged: it is centred on `fill` instead. Also answers where the cut was made.
 */
import { loadSharp } from './sharp-lazy.js';

/** The area taken from the source, in source pixels. */
export type CropArea = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

/** Options of {@link smartCrop}. */
export type SmartCropOptions = { readonly width: number; readonly height: number; readonly fill: string; readonly maxPixels: number };

/** The cut (lossless PNG) and where it came from. */
export async function smartCrop(input: Buffer | string, opts: SmartCropOptions): Promise<{ data: Buffer; area: CropArea }> {
  const sharp = await loadSharp();
  // Orient first so coordinates are those of the image as displayed.
  const upright = await sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'error' }).autoOrient().png().toBuffer({ resolveWithObject: true });
  const { width: sw, height: sh } = upright.info;
  const scale = Math.min(1, Math.max(opts.width / sw, opts.height / sh));
  const rw = Math.max(1, Math.round(sw * scale));
  const rh = Math.max(1, Math.round(sh * scale));
  const cw = Math.min(opts.width, rw);
  const ch = Math.min(opts.height, rh);
  const cut = await sharp(upright.data)
    .resize(cw, ch, { fit: 'cover', position: 'attention' })
    .png()
    .toBuffer({ resolveWithObject: true });
  const info = cut.info as typeof cut.info & { cropOffsetLeft?: number; cropOffsetTop?: number };
  const area = {
    x: Math.round(Math.abs(info.cropOffsetLeft ?? 0) / scale),
    y: Math.round(Math.abs(info.cropOffsetTop ?? 0) / scale),
    width: Math.round(cw / scale),
    height: Math.round(ch / scale),
  };
  if (cw === opts.width && ch === opts.height) return { data: cut.data, area };
  const data = await sharp(cut.data)
    .extend({
      left: Math.floor((opts.width - cw) / 2),
      right: Math.ceil((opts.width - cw) / 2),
      top: Math.floor((opts.height - ch) / 2),
      bottom: Math.ceil((opts.height - ch) / 2),
      background: opts.fill,
    })
    .png()
    .toBuffer();
  return { data, area };
}
