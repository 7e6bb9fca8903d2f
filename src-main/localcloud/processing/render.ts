/**
 * Renders an image through an ImageOp list with sharp, in bounded memory.
 *
 * - The header is read first: an image over the pixel cap is refused (413) before decoding.
 * - The render then waits for room in the render gate (render-gate.ts: as many at once as there
 *   are cores, within a pixel budget), or is refused as busy (429) when too many already wait.
 * - Ops apply strictly in list order: every stage (op-stages.ts) is its own sharp pipeline, and
 *   its result reaches the next stage as an uncompressed PNG scratch file carrying the input's
 *   EXIF/ICC/XMP. No stage's pixels pass through a JS buffer, so a render holds at most the one
 *   decoded copy an op needs (a 49 MP render peaked near 1 GB when stages were PNG buffers).
 * - The last stage and the encoder share one pipeline unless the output is JPEG, which must
 *   first know whether the result has alpha (to flatten it or switch to PNG).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Sharp } from 'sharp';
import { FerryError, appError } from '../../../src-shared/errors.js';
import { MIMETYPES, encode, outputFormat, outputOf, type Output } from './encode.js';
import { DEFAULT_MAX_PIXELS } from './limits.js';
import type { ImageOp } from './ops.js';
import { stagesFor, type StageInput } from './op-stages.js';
import { renderGate, type RenderGate } from './render-gate.js';
import { loadSharp } from './sharp-lazy.js';

export { DEFAULT_MAX_PIXELS } from './limits.js';

/** A rendered image. `format` is sharp's name (jpeg, png, webp, avif, gif, tiff, heif). */
export type RenderedImage = {
  readonly data: Buffer;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly mimetype: string;
};

/** Options of {@link renderImage}. */
export type RenderOptions = {
  readonly signal?: AbortSignal;
  /** Largest input, intermediate and output image in pixels; default 50 MP. */
  readonly maxPixels?: number;
  /** Folder for the stages' scratch files (the local cloud passes its tmp folder); default the OS temp folder. */
  readonly scratchDir?: string;
  /** Admission control; default the process-wide {@link renderGate}. */
  readonly gate?: RenderGate;
};

type Load = (src: string | Buffer) => Sharp;

/** Maps sharp's failures to typed errors a front end can answer with. */
export function toRenderError(err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) {
    return new FerryError(appError('payload_too_large', `The image is too large to process: ${message}.`));
  }
  if (/unsupported image format|missing|corrupt|premature end|bad seek|not a known file format|load/i.test(message)) {
    return new FerryError(appError('unsupported', `The file is not an image the local cloud can process (${message}).`));
  }
  return new FerryError(appError('bad_request', `Image processing failed: ${message}.`));
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new FerryError(appError('aborted', 'The image render was canceled.'));
}

/** Renders `input` (a file path or bytes) through `ops`, in order. */
export async function renderImage(input: string | Buffer, ops: readonly ImageOp[], opts: RenderOptions = {}): Promise<RenderedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  try {
    const sharp = await loadSharp();
    const load: Load = (src) => sharp(src, { limitInputPixels: maxPixels, failOn: 'error' });
    checkAbort(opts.signal);
    const meta = await load(input).metadata();
    // AVIF reports itself as heif/av1; write it back as avif (HEVC encoding is not available).
    const inputFormat = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : (meta.format ?? '');
    if (meta.width === undefined || meta.height === undefined) {
      throw new FerryError(appError('unsupported', `The local cloud cannot process "${inputFormat || 'unknown'}" images.`));
    }
    const pixels = meta.width * meta.height;
    if (pixels > maxPixels) {
      throw new FerryError(appError('payload_too_large', `The ${meta.width}x${meta.height} image exceeds the local cloud's limit of ${maxPixels} pixels.`));
    }
    const first: StageInput = { width: meta.width, height: meta.height, hasAlpha: meta.hasAlpha ?? false, maxPixels };
    return await (opts.gate ?? renderGate).run(pixels, () => runStages(load, input, ops, first, inputFormat, opts), opts.signal);
  } catch (err) {
    throw toRenderError(err);
  }
}

/** Runs the stages through scratch files and encodes the result. */
async function runStages(load: Load, input: string | Buffer, ops: readonly ImageOp[], first: StageInput, inputFormat: string, opts: RenderOptions): Promise<RenderedImage> {
  const out = outputOf(ops);
  const stages = ops.flatMap(stagesFor);
  const fuseLast = stages.length > 0 && outputFormat(out, inputFormat) !== 'jpeg';
  const scratch = stages.length > (fuseLast ? 1 : 0) ? await mkdtemp(path.join(opts.scratchDir ?? os.tmpdir(), 'ferry-render-')) : null;
  let current: string | Buffer = input;
  let state = first;
  try {
    for (const [i, stage] of stages.entries()) {
      checkAbort(opts.signal);
      const img = await stage(load(current), state);
      if (fuseLast && i === stages.length - 1) return await finish(img, out, inputFormat, state.hasAlpha);
      const file = path.join(scratch ?? '', `${i}.png`);
      const info = await (out.strip ? img : img.keepMetadata()).png({ compressionLevel: 0 }).toFile(file);
      if (i > 0) await rm(current as string, { force: true });
      current = file;
      state = { width: info.width, height: info.height, hasAlpha: info.channels === 2 || info.channels === 4, maxPixels: first.maxPixels };
    }
    checkAbort(opts.signal);
    return await finish(load(current), out, inputFormat, state.hasAlpha);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function finish(img: Sharp, out: Output, inputFormat: string, hasAlpha: boolean): Promise<RenderedImage> {
  const format = outputFormat(out, inputFormat, hasAlpha);
  const { data, info } = await encode(img, out, format, hasAlpha).toBuffer({ resolveWithObject: true });
  return { data, format, width: info.width, height: info.height, mimetype: MIMETYPES[format] ?? 'application/octet-stream' };
}
