/**
 * An image chain as the shared renderer runs it: every task becomes ImageOps (the compositing
 * ones through image-task-ops.ts), rendered through the cache, the render gate and scratch
 * files; a non-image ending (ascii, smart_crop coords) then runs on the rendered image, inside
 * the render gate too.
 */
import { toAppError } from '../../../src-shared/errors.js';
import { canonicalParams, validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep } from '../../../src-shared/filestack/types.js';
import type { RenderCache } from '../processing/cache.js';
import type { ImageOp } from '../processing/ops.js';
import { toRenderError } from '../processing/render.js';
import { renderGate } from '../processing/render-gate.js';
import { loadSharp } from '../processing/sharp-lazy.js';
import { HttpError, httpErrorOf } from '../router.js';
import { compositingOp, COMPOSITING_TASKS, isTerminal, terminalTask, type TaskEnv, type Terminal } from './image-task-ops.js';
import type { ResolvedSource } from './process-source.js';
import { tasksToOps } from './process-tasks.js';

/** A planned chain: ops for the renderer, then maybe a non-image ending. */
export type ImageChain = { readonly ops: readonly ImageOp[]; readonly terminal: Terminal | null };

/** What a chain produced; `image` is false for HTML/JSON endings. */
export type ChainOutput = { readonly data: Buffer; readonly mimetype: string; readonly image: boolean };

/** Any failure of a task or the renderer as the HTTP answer it deserves (429 + Retry-After when busy). */
export function asHttpError(err: unknown): HttpError {
  return err instanceof HttpError ? err : httpErrorOf(toAppError(toRenderError(err)));
}

/** Validates every step and builds the chain (reading referenced files' facts), before the source is read. */
export async function planImageChain(steps: readonly TaskStep[], env: TaskEnv): Promise<ImageChain> {
  const ops: ImageOp[] = [];
  let terminal: Terminal | null = null;
  for (const step of steps) {
    const p = canonicalParams(step);
    if (!COMPOSITING_TASKS.has(step.name) && !isTerminal(step.name, p)) {
      const mapped = tasksToOps([step]);
      if (!mapped.ok) throw new HttpError(mapped.status, 'bad_request', mapped.message);
      ops.push(...mapped.ops);
      continue;
    }
    const checked = validateStep(step);
    if (!checked.ok) throw new HttpError(400, 'bad_request', checked.message);
    // process-plan.ts already made sure a terminal task ends the chain.
    if (isTerminal(step.name, p)) terminal = terminalTask(step.name, p, env);
    else ops.push(await compositingOp(step.name, p, env));
  }
  return { ops, terminal };
}

/** Runs `fn` over `input` inside the render gate, refusing an image over the pixel cap first. */
async function gated<T>(input: Buffer | string, maxPixels: number, fn: () => Promise<T>): Promise<T> {
  const m = await (await loadSharp())(input, { limitInputPixels: maxPixels }).metadata();
  return renderGate.run((m.width ?? 1) * (m.height ?? 1), fn);
}

/** Runs a planned chain over a resolved source. */
export async function runImageChain(chain: ImageChain, src: ResolvedSource, cache: RenderCache, opts: { maxPixels: number; scratchDir: string }): Promise<ChainOutput> {
  try {
    const rendered = chain.ops.length > 0 ? await cache.render(src.sourceKey, src.input, chain.ops, opts) : null;
    if (chain.terminal) {
      const input = rendered?.data ?? src.input;
      const terminal = chain.terminal;
      return { ...(await gated(input, opts.maxPixels, () => terminal(input))), image: false };
    }
    if (!rendered) throw new HttpError(500, 'internal', 'An empty image chain reached the renderer.');
    return { data: rendered.data, mimetype: rendered.mimetype, image: true };
  } catch (err) {
    throw asHttpError(err);
  }
}
