/**
 * Filestack `collage`: the source and the other `files` laid out in a grid on a `width`×`height`
 * canvas of `color`, `margin` pixels around and between the cells. `fit: auto` keeps every image
 * whole inside its cell, `crop` fills the cell and cuts the overflow; `autorotate` turns an image
 * a quarter when that fits its cell better.
 */
import { FerryError, appError } from '../../../src-shared/errors.js';
import { loadSharp } from './sharp-lazy.js';
import { orientedSize } from './watermark.js';

/** Options of {@link collage}. */
export type CollageOptions = {
  readonly width: number;
  readonly height: number;
  readonly margin: number;
  /** Canvas colour (sharp colour string). */
  readonly color: string;
  readonly fit: 'auto' | 'crop';
  readonly autorotate: boolean;
  readonly maxPixels: number;
};

/** Columns × rows for `n` cells, as square as the canvas allows. */
export function gridFor(n: number, width: number, height: number): { cols: number; rows: number } {
  let best = { cols: n, rows: 1, score: Number.POSITIVE_INFINITY };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    // Prefer cells close to square and few empty cells.
    const cellRatio = width / cols / (height / rows);
    const score = Math.abs(Math.log(cellRatio)) + (cols * rows - n) * 0.25;
    if (score < best.score) best = { cols, rows, score };
  }
  return { cols: best.cols, rows: best.rows };
}

/** The collage as lossless PNG. */
export async function collage(images: readonly (Buffer | string)[], opts: CollageOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  const { cols, rows } = gridFor(images.length, opts.width, opts.height);
  const cellW = Math.floor((opts.width - opts.margin * (cols + 1)) / cols);
  const cellH = Math.floor((opts.height - opts.margin * (rows + 1)) / rows);
  if (cellW < 1 || cellH < 1) throw new FerryError(appError('bad_request', `A margin of ${opts.margin} px leaves no room for ${images.length} images in ${opts.width}x${opts.height}.`));
  const tiles = await Promise.all(
    images.map(async (src, i) => {
      let img = sharp(src, { limitInputPixels: opts.maxPixels, failOn: 'error' }).autoOrient();
      const [w, h] = orientedSize(await sharp(src, { limitInputPixels: opts.maxPixels }).metadata());
      if (opts.autorotate && w > h !== cellW > cellH && w !== h) img = sharp(await img.png().toBuffer()).rotate(90);
      const tile = await img.resize(cellW, cellH, { fit: opts.fit === 'crop' ? 'cover' : 'inside' }).png().toBuffer({ resolveWithObject: true });
      const col = i % cols;
      const row = Math.floor(i / cols);
      // Centre each tile in its cell (an `auto` tile is usually smaller than the cell).
      const left = opts.margin + col * (cellW + opts.margin) + Math.floor((cellW - tile.info.width) / 2);
      const top = opts.margin + row * (cellH + opts.margin) + Math.floor((cellH - tile.info.height) / 2);
      return { input: tile.data, left, top };
    }),
  );
  return sharp({ create: { width: opts.width, height: opts.height, channels: 4, background: opts.color } })
    .composite(tiles)
    .png()
    .toBuffer();
}
