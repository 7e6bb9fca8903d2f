/**
 * Runs an image chain: runs of ordinary tasks go through the ImageOp renderer (and its cache)
 * unchanged; the compositing tasks (watermark, collage, smart_crop, upscale, ascii) run between
 * them on the image so far, in chain order. The output format is the source's unless the chain
 * names one, as for plain op chains.
 */
import { toAppError } from '../../../src-shared/errors.js';
import { canonicalParams, validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep, TaskValue } from '../../../src-shared/filestack/types.js';
import type { RenderCache } from '../processing/cache.js';
import type { ImageOp } from '../processing/ops.js';
import { renderImage, toRenderError } from '../processing/render.js';
import { loadSharp } from '../processing/sharp-lazy.js';
import { HttpError } from '../router.js';
import { specialTask, SPECIAL_IMAGE_TASKS, type SpecialEnv, type SpecialRun } from './image-specials.js';
import type { ResolvedSource } from './process-source.js';
import { tasksToOps } from './process-tasks.js';

/** A planned chain: op runs and compositing steps in order. */
export type ImageChain = readonly ({ readonly ops: ImageOp[] } | { readonly special: SpecialRun })[];

/** What a chain produced. */
export type ChainOutput = { readonly data: Buffer; readonly mimetype: string; readonly image: boolean };

const STATUS_BY_CODE: Readonly<Record<string, number>> = { payload_too_large: 413, aborted: 499, internal: 500 };
const OUTPUT_OPS: ReadonlySet<ImageOp['op']> = new Set(['format', 'quality', 'compress', 'stripMetadata']);

/** A renderer or task failure as the HTTP answer it deserves. */
export function httpErrorOf(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = toAppError(toRenderError(err));
  return new HttpError(STATUS_BY_CODE[e.code] ?? 400, e.code, e.message);
}

/** Validates every step and builds the chain, before any source is read. */
export function planImageChain(steps: readonly TaskStep[], env: SpecialEnv): ImageChain {
  const out: ({ ops: ImageOp[] } | { special: SpecialRun })[] = [];
  let run: TaskStep[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const mapped = tasksToOps(run);
    if (!mapped.ok) throw new HttpError(mapped.status, 'bad_request', mapped.message);
    out.push({ ops: mapped.ops });
    run = [];
  };
  for (const step of steps) {
    if (!SPECIAL_IMAGE_TASKS.has(step.name)) {
      run.push(step);
      continue;
    }
    flush();
    const checked = validateStep(step);
    if (!checked.ok) throw new HttpError(400, 'bad_request', checked.message);
    out.push({ special: specialTask(step.name, canonicalParams(step) as Readonly<Record<string, TaskValue>>, env) });
  }
  flush();
  return out;
}

/** Runs a planned chain over a resolved source. */
export async function runImageChain(chain: ImageChain, src: ResolvedSource, cache: RenderCache, maxPixels: number | undefined): Promise<ChainOutput> {
  const limits = maxPixels !== undefined ? { maxPixels } : {};
  try {
    if (chain.every((p) => 'ops' in p)) {
      const ops = chain.flatMap((p) => ('ops' in p ? p.ops : []));
      const r = await cache.render(src.sourceKey, src.input, ops, limits);
      return { data: r.data, mimetype: r.mimetype, image: true };
    }
    const outputOps = chain.flatMap((p) => ('ops' in p ? p.ops.filter((o) => OUTPUT_OPS.has(o.op)) : []));
    const sourceFormat = await formatOf(src.input);
    let current: Buffer | string = src.input;
    for (const part of chain) {
      if ('special' in part) {
        const out = await part.special(current);
        if (!out.image) return out;
        current = out.data;
        continue;
      }
      const geometry = part.ops.filter((o) => !OUTPUT_OPS.has(o.op));
      if (geometry.length > 0) current = (await renderImage(current, [...geometry, { op: 'format', format: 'png' }], limits)).data;
    }
    // Keep the source's format unless the chain names one (the last format op wins).
    const keep: ImageOp[] = sourceFormat ? [{ op: 'format', format: sourceFormat }] : [];
    const r = await renderImage(current, [...keep, ...outputOps], limits);
    return { data: r.data, mimetype: r.mimetype, image: true };
  } catch (err) {
    throw httpErrorOf(err);
  }
}

const WRITABLE = new Set(['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff']);

async function formatOf(input: Buffer | string): Promise<'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff' | null> {
  const m = await (await loadSharp())(input).metadata();
  const f = m.format === 'heif' && m.compression === 'av1' ? 'avif' : (m.format ?? '');
  return WRITABLE.has(f) ? (f as 'jpeg') : null;
}
