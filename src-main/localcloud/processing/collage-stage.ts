/**
 * The `collage` op (Filestack `collage`): the image and the other `files` laid out in a grid on a
 * `width`×`height` canvas of `color`, `margin` pixels around and between the cells. `fit: auto`
 * keeps every image whole inside its cell, `crop` fills the cell and cuts the overflow;
 * `autorotate` turns an image a quarter when that fits its cell better.
 */
import type { Sharp } from 'sharp';
import { FerryError, appError } from '../../../src-shared/errors.js';
import { assertFits, type Stage } from './op-stages.js';
import type { ImageOp } from './ops.js';
import { orientedSize } from './oriented-size.js';
import { loadSharp } from './sharp-lazy.js';

/** Columns × rows for `n` cells: cells close to square, few left empty. */
export function gridFor(n: number, width: number, height: number): { cols: number; rows: number } {
  let best = { cols: n, rows: 1, score: Number.POSITIVE_INFINITY };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const score = Math.abs(Math.log(width / cols / (height / rows))) + (cols * rows - n) * 0.25;
    if (score < best.score) best = { cols, rows, score };
  }
  return { cols: best.cols, rows: best.rows };
}

/** The stage of one collage op. */
export function collageStage(op: Extract<ImageOp, { op: 'collage' }>): Stage {
  return async (img, inp) => {
    assertFits(op.width, op.height, inp);
    const sharp = await loadSharp();
    const n = op.files.length + 1;
    const { cols, rows } = gridFor(n, op.width, op.height);
    const cellW = Math.floor((op.width - op.margin * (cols + 1)) / cols);
    const cellH = Math.floor((op.height - op.margin * (rows + 1)) / rows);
    if (cellW < 1 || cellH < 1) throw new FerryError(appError('bad_request', `A margin of ${op.margin} px leaves no room for ${n} images in ${op.width}x${op.height}.`));
    const tile = async (src: Sharp, size: [number, number], i: number): Promise<{ input: Buffer; left: number; top: number }> => {
      const turn = op.autorotate && size[0] !== size[1] && size[0] > size[1] !== cellW > cellH;
      const upright = turn ? sharp(await src.png().toBuffer()).rotate(90) : src;
      const t = await upright.resize(cellW, cellH, { fit: op.fit === 'crop' ? 'cover' : 'inside' }).png().toBuffer({ resolveWithObject: true });
      const [col, row] = [i % cols, Math.floor(i / cols)];
      // Centred in its cell (an `auto` tile is usually smaller than the cell).
      return { input: t.data, left: op.margin + col * (cellW + op.margin) + Math.floor((cellW - t.info.width) / 2), top: op.margin + row * (cellH + op.margin) + Math.floor((cellH - t.info.height) / 2) };
    };
    const tiles = [await tile(img, [inp.width, inp.height], 0)];
    for (const [i, file] of op.files.entries()) {
      const open = (): Sharp => sharp(file.path, { limitInputPixels: inp.maxPixels, failOn: 'error' });
      tiles.push(await tile(open().autoOrient(), orientedSize(await open().metadata()), i + 1));
    }
    return sharp({ create: { width: op.width, height: op.height, channels: 4, background: op.color } }).composite(tiles);
  };
}
