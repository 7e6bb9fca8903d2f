/**
 * The sharp side of ImageKit layers: a text box (Pango text through sharp, with padding, a
 * background, a fixed width and alignment), a solid canvas, opacity, and compositing one image
 * onto another at a position (partly outside is clipped) in a blend mode. Like the render
 * pipeline, images travel between these steps as uncompressed PNG scratch files, never as pixels
 * in a JS buffer; every step decodes at most one base-sized image and waits its turn in the
 * render gate like a render does.
 */
import type { Sharp } from 'sharp';
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { LayerColor, LayerMode, TextStyle } from '../../../src-shared/imagekit/layer-ops.js';
import { DEFAULT_MAX_PIXELS } from './limits.js';
import { renderGate } from './render-gate.js';
import { loadSharp } from './sharp-lazy.js';

/** An image (a scratch PNG file, or encoded bytes) and its size. */
export type Raster = { readonly input: string | Buffer; readonly width: number; readonly height: number };

/** Hands out fresh scratch file paths (inside a folder the caller removes afterwards). */
export type Scratch = { next(): string };

/** A text box with every size already in pixels. */
export type TextBoxStyle = TextStyle<number>;

/** Largest font size and box side a layer may ask for. */
export const MAX_FONT_SIZE = 300;
export const MAX_LAYER_SIDE = 8192;

const tooBig = (what: string): FerryError => new FerryError(appError('payload_too_large', `The ${what} is too large to render.`));

/** Runs the pipeline into an uncompressed PNG scratch file once the render gate admits `pixels`. */
async function toRaster(img: Sharp, pixels: number, scratch: Scratch): Promise<Raster> {
  const file = scratch.next();
  const info = await renderGate.run(pixels, () => img.png({ compressionLevel: 0 }).toFile(file));
  return { input: file, width: info.width, height: info.height };
}

/** Runs a sharp step; its own failures (an unknown colour name, bad markup) are bad input. */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError(appError('bad_request', `The ${what} could not be rendered: ${err instanceof Error ? err.message : String(err)}.`));
  }
}

const escapeMarkup = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** sharp's background for a colour: `{r, g, b, alpha}` for hex, the name itself otherwise (opaque). */
function backgroundOf(color: LayerColor | null): string | { r: number; g: number; b: number; alpha: number } {
  if (!color) return { r: 0, g: 0, b: 0, alpha: 0 };
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.hex);
  if (!m) return color.hex;
  return { r: parseInt(m[1] ?? '0', 16), g: parseInt(m[2] ?? '0', 16), b: parseInt(m[3] ?? '0', 16), alpha: color.opacity };
}

/** A transparent or coloured canvas. */
export async function canvas(width: number, height: number, color: LayerColor | null, scratch: Scratch): Promise<Raster> {
  const [w, h] = [Math.round(width), Math.round(height)];
  if (!(w >= 1 && h >= 1 && w <= MAX_LAYER_SIDE && h <= MAX_LAYER_SIDE && w * h <= DEFAULT_MAX_PIXELS)) throw tooBig('layer canvas');
  const sharp = await loadSharp();
  return guarded('layer canvas', () => toRaster(sharp({ create: { width: w, height: h, channels: 4, background: backgroundOf(color) } }), w * h, scratch));
}

/** Renders a text layer's box: text in its colour, wrapped at `width`, padded, on its background. */
export async function textBox(text: string, s: TextBoxStyle, scratch: Scratch): Promise<Raster> {
  if (!(s.fontSize >= 1 && s.fontSize <= MAX_FONT_SIZE)) throw new FerryError(appError('bad_request', `Font size must be 1–${MAX_FONT_SIZE} px.`));
  // Pango has no pixel limit of its own: estimate the area before rendering.
  if (text.length * s.fontSize * s.fontSize * 0.7 > DEFAULT_MAX_PIXELS / 2) throw tooBig('text layer');
  const sharp = await loadSharp();
  const [pt, pr, pb, pl] = s.padding.map((p) => Math.max(0, Math.round(p))) as [number, number, number, number];
  let body: Raster = { input: Buffer.alloc(0), width: 0, height: 0 };
  if (text.trim() !== '') {
    let markup = escapeMarkup(text);
    if (s.bold) markup = `<b>${markup}</b>`;
    if (s.italic) markup = `<i>${markup}</i>`;
    if (s.strikethrough) markup = `<s>${markup}</s>`;
    const alpha = s.color.opacity < 1 ? ` fgalpha="${Math.max(1, Math.round(s.color.opacity * 100))}%"` : '';
    markup = `<span foreground="${s.color.hex}"${alpha}>${markup}</span>`;
    const wrapWidth = s.width !== undefined ? Math.max(1, Math.round(s.width)) : MAX_LAYER_SIDE;
    const options = {
      text: markup,
      font: `${s.fontFamily} ${s.fontSize}`,
      dpi: 72,
      rgba: true,
      width: Math.min(wrapWidth, MAX_LAYER_SIDE),
      align: s.align === 'center' ? ('centre' as const) : s.align,
      wrap: 'word-char' as const,
      ...(s.lineHeight !== undefined ? { spacing: s.lineHeight } : {}),
    };
    body = await guarded('text layer', () => toRaster(sharp({ text: options }), Math.ceil(text.length * s.fontSize * s.fontSize * 0.7), scratch));
  }
  const inner = s.width !== undefined ? Math.max(Math.round(s.width), body.width) : body.width;
  const width = inner + pl + pr;
  const height = body.height + pt + pb;
  if (width > MAX_LAYER_SIDE || height > MAX_LAYER_SIDE) throw tooBig('text layer');
  const box = await canvas(Math.max(1, width), Math.max(1, height), s.background ?? null, scratch);
  if (body.width === 0) return box;
  const left = pl + (s.align === 'left' ? 0 : s.align === 'right' ? inner - body.width : Math.floor((inner - body.width) / 2));
  return toRaster(sharp(box.input).composite([{ input: body.input, left, top: pt }]), box.width * box.height, scratch);
}

/** Multiplies the image's alpha by `opacity` (0–1). */
export async function withOpacity(r: Raster, opacity: number, scratch: Scratch): Promise<Raster> {
  const sharp = await loadSharp();
  const mask = Buffer.from([255, 255, 255, Math.round(255 * Math.min(1, Math.max(0, opacity)))]);
  return toRaster(sharp(r.input).ensureAlpha().composite([{ input: mask, raw: { width: 1, height: 1, channels: 4 }, tile: true, blend: 'dest-in' }]), r.width * r.height, scratch);
}

const BLEND = { normal: 'over', multiply: 'multiply', cutout: 'dest-out', cutter: 'dest-in' } as const;

/**
 * Draws `layer` on `base` with its top-left corner at (left, top), which may be negative or past
 * the edges: only the part inside the base is drawn. `cutter` keeps just the layer's rectangle.
 */
export async function compositeAt(base: Raster, layer: Raster, left: number, top: number, mode: LayerMode, scratch: Scratch): Promise<Raster> {
  const sharp = await loadSharp();
  const x0 = Math.max(0, Math.round(left));
  const y0 = Math.max(0, Math.round(top));
  const x1 = Math.min(base.width, Math.round(left) + layer.width);
  const y1 = Math.min(base.height, Math.round(top) + layer.height);
  if (x1 <= x0 || y1 <= y0) return mode === 'cutter' ? canvas(1, 1, null, scratch) : base;
  const visible = await toRaster(sharp(layer.input).extract({ left: x0 - Math.round(left), top: y0 - Math.round(top), width: x1 - x0, height: y1 - y0 }), layer.width * layer.height, scratch);
  const drawn = await toRaster(sharp(base.input).ensureAlpha().composite([{ input: visible.input, left: x0, top: y0, blend: BLEND[mode] }]), base.width * base.height, scratch);
  if (mode !== 'cutter') return drawn;
  return toRaster(sharp(drawn.input).extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }), drawn.width * drawn.height, scratch);
}
