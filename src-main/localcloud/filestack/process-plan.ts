/**
 * Sorts a parsed processing chain into what the local cloud runs: an image chain (sharp ops and
 * the compositing tasks, in order), or one document task (zip, PDF, minify, animate) that reads
 * the source itself; plus `fallback`, `store` and `imagesize`, which wrap either. Every rule that
 * refuses a chain lives here, so the refusals read the same for every route.
 */
import { validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep } from '../../../src-shared/filestack/types.js';
import { HttpError } from '../router.js';

/** Tasks that read the source themselves and answer a file or JSON of their own. */
export const DOCUMENT_TASKS: ReadonlySet<string> = new Set(['zip', 'animate', 'pdfinfo', 'pdfconvert', 'doc_to_images', 'minify_css', 'minify_js']);
/** Document tasks that take several sources (`[h1,h2]`). */
const MULTI_FILE_TASKS: ReadonlySet<string> = new Set(['zip', 'animate']);
/** Image tasks that answer something other than an image, so they must end the chain. */
const TERMINAL_IMAGE_TASKS: ReadonlySet<string> = new Set(['ascii']);
/** Tasks that need a face detector (none fits offline: see README). */
const FACE_TASKS: ReadonlySet<string> = new Set(['detect_faces', 'crop_faces', 'pixelate_faces', 'blur_faces']);

/** What a chain asks for. */
export type ChainPlan = {
  readonly body: { readonly kind: 'image'; readonly steps: readonly TaskStep[] } | { readonly kind: 'document'; readonly step: TaskStep };
  /** `fallback=handle:H` / `file:H`: served when the rest fails. */
  readonly fallback: { readonly handle: string; readonly cacheSeconds?: number } | null;
  readonly store: TaskStep | null;
  /** `imagesize` ends the chain: answer `{width, height}` of the image before it. */
  readonly sizeOnly: boolean;
};

const bad = (message: string): HttpError => new HttpError(400, 'bad_request', message);

/** True when a step answers JSON rather than bytes (such answers cannot be stored). */
export function answersJson(step: TaskStep): boolean {
  const p = step.params ?? {};
  return step.name === 'pdfinfo' || step.name === 'doc_to_images' || (step.name === 'pdfconvert' && (p.metadata === true || p.metadata === 'true')) || (step.name === 'smart_crop' && (p.coords === true || p.coords === 'true'));
}

function takeFallback(steps: readonly TaskStep[]): { rest: TaskStep[]; fallback: ChainPlan['fallback'] } {
  const found = steps.filter((s) => s.name === 'fallback');
  if (found.length > 1) throw bad('A chain can carry one fallback task.');
  const step = found[0];
  if (!step) return { rest: [...steps], fallback: null };
  const checked = validateStep(step);
  if (!checked.ok) throw bad(checked.message);
  const handle = step.params?.handle ?? step.params?.file;
  if (typeof handle !== 'string' || !/^[\w-]+$/.test(handle)) throw bad('Task "fallback" needs handle:<handle> (or file:<handle>) of a stored file.');
  const cache = step.params?.cache;
  return { rest: steps.filter((s) => s.name !== 'fallback'), fallback: { handle, ...(typeof cache === 'number' ? { cacheSeconds: cache } : {}) } };
}

/** Splits the chain at `store`; tasks after it cannot run because store answers JSON. */
function splitAtStore(steps: readonly TaskStep[]): { render: TaskStep[]; store: TaskStep | null } {
  const idx = steps.findIndex((s) => s.name === 'store');
  if (idx < 0) return { render: [...steps], store: null };
  const after = steps.slice(idx + 1).filter((s) => s.name !== 'cache');
  if (after.length > 0) throw bad(`Task "${after[0]?.name ?? ''}" cannot follow "store": store must end the chain.`);
  const store = steps[idx] ?? null;
  if (store) {
    const checked = validateStep(store);
    if (!checked.ok) throw bad(checked.message);
  }
  return { render: steps.slice(0, idx), store };
}

/** Plans a chain (security already taken out by the parser); throws HttpError for what cannot run. */
export function planChain(steps: readonly TaskStep[], multiSource: boolean): ChainPlan {
  const face = steps.find((s) => FACE_TASKS.has(s.name));
  if (face) throw new HttpError(501, 'unsupported', `Task "${face.name}" needs a face detector, which the local cloud does not have (no offline detector ships as a registry package that fits).`);
  const { rest, fallback } = takeFallback(steps.filter((s) => s.name !== 'cache'));
  const { render: chain, store } = splitAtStore(rest);
  const sizeOnly = chain[chain.length - 1]?.name === 'imagesize';
  if (sizeOnly && store) throw bad('Task "imagesize" cannot be combined with "store".');
  const render = sizeOnly ? chain.slice(0, -1) : chain;
  const docs = render.filter((s) => DOCUMENT_TASKS.has(s.name));
  const doc = docs[0];
  if (multiSource && (!doc || !MULTI_FILE_TASKS.has(doc.name))) {
    const what = doc?.name ?? render[0]?.name;
    throw bad(what === undefined ? 'A multi-file source ([h1,h2]) needs a task that takes several files: zip or animate.' : `Task "${what}" takes one file; a multi-file source ([h1,h2]) needs zip or animate.`);
  }
  if (doc) {
    if (render.length > 1) throw bad(`Task "${doc.name}" must be the only processing task of its URL (besides security, cache, fallback and store).`);
    if (sizeOnly) throw bad(`Task "imagesize" cannot follow "${doc.name}".`);
    if (store && answersJson(doc)) throw bad(`Task "${doc.name}" answers JSON, which cannot be stored.`);
    return { body: { kind: 'document', step: doc }, fallback, store, sizeOnly: false };
  }
  render.forEach((s, i) => {
    const last = i === render.length - 1;
    if ((TERMINAL_IMAGE_TASKS.has(s.name) || answersJson(s)) && !last) throw bad(`Task "${s.name}" must end the chain: it does not answer an image.`);
    if ((TERMINAL_IMAGE_TASKS.has(s.name) || answersJson(s)) && sizeOnly) throw bad(`Task "imagesize" cannot follow "${s.name}".`);
  });
  const jsonEnd = render[render.length - 1];
  if (store && jsonEnd && answersJson(jsonEnd)) throw bad(`Task "${jsonEnd.name}" answers JSON, which cannot be stored.`);
  return { body: { kind: 'image', steps: render }, fallback, store, sizeOnly };
}
