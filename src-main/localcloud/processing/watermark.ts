/**
 * Filestack `watermark`: another image laid over this one at `size` per cent of the overlay's own
 * size (shrunk further only when it would not fit), at a gravity position.
 */
import { loadSharp } from './sharp-lazy.js';
import { SHARP_GRAVITY, type Gravity } from './gravity.js';

/** Options of {@link watermark}. */
export type WatermarkOptions = { readonly sizePercent: number; readonly position: Exclude<Gravity, 'attention' | 'entropy'>; readonly maxPixels: number };

/** `base` with `overlay` composited on it, as lossless PNG. */
export async function watermark(base: Buffer | string, overlay: Buffer | string, opts: WatermarkOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  const load = (src: Buffer | string): ReturnType<typeof sharp> => sharp(src, { limitInputPixels: opts.maxPixels, failOn: 'error' }).autoOrient();
  const b = await load(base).metadata();
  const o = await load(overlay).metadata();
  const [bw, bh] = orientedSize(b);
  const [ow, oh] = orientedSize(o);
  const scale = Math.min(opts.sizePercent / 100, bw / ow, bh / oh);
  const mark = await load(overlay)
    .resize(Math.max(1, Math.floor(ow * scale)), Math.max(1, Math.floor(oh * scale)), { fit: 'fill' })
    .png()
    .toBuffer();
  return load(base).composite([{ input: mark, gravity: SHARP_GRAVITY[opts.position] }]).png().toBuffer();
}

/** Width and height as displayed (EXIF orientations 5–8 swap them). */
export function orientedSize(m: { width?: number; height?: number; orientation?: number }): [number, number] {
  const w = m.width ?? 1;
  const h = m.height ?? 1;
  return (m.orientation ?? 1) >= 5 ? [h, w] : [w, h];
}
