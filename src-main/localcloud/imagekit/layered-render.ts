/**
 * Renders an image transformation that holds layers (`l-text`, `l-image`, `l-image,i-ik_canvas`):
 * each step's own parameters apply to the image first, then the step's layers are drawn on the
 * result in order. A layer is rendered the same way, recursively (its own steps, its own nested
 * layers), then placed (`lx`/`ly`/`lxc`/`lyc` from the `lap` anchor, or `lfo`) and blended
 * (`lm`). Bounded: at most MAX_LAYERS layers per request, nesting at most MAX_DEPTH deep (ImageKit
 * allows 3), each image within the renderer's pixel cap. `f-`/`q-` apply to the final output only.
 * Between steps the image is an encoded render result or an uncompressed PNG scratch file in a
 * folder of its own, removed when the render ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringifyTransformation, type TxLayer, type TxStep } from '../../../src-shared/imagekit/transform-parser.js';
import { evalExpr, layerPosition, resolveSizes, toLayerSpec, type LayerSpec } from '../../../src-shared/imagekit/layer-ops.js';
import { canvas, compositeAt, textBox, withOpacity, type Raster, type Scratch } from '../processing/layer-render.js';
import type { ImageOp } from '../processing/ops.js';
import { renderImage, type RenderedImage, type RenderOptions } from '../processing/render.js';
import { loadSharp } from '../processing/sharp-lazy.js';
import { IkError } from './http.js';
import { planTransformation } from './render-adapter.js';
import type { ImageKitStore } from './store.js';
import { currentVersion } from './store.js';

/** Most layers drawn for one request, nested ones included. */
export const MAX_LAYERS = 20;
/** Deepest nesting (a layer inside a layer inside a layer). */
export const MAX_DEPTH = 3;

/**
 * What a layered render may read: the account's files (private ones only for a signed request);
 * `scratchDir` is where the renderer's stages keep their scratch files.
 */
export type LayerSources = { readonly store: ImageKitStore; readonly signed: boolean; readonly scratchDir?: string };

/** One layered render: where it may read, how many layers it drew, where its scratch files go. */
type Job = { readonly src: LayerSources; readonly scratch: Scratch; layers: number };
const OUTPUT_OPS = new Set(['format', 'quality']);
const renderOptions = (job: Job): RenderOptions => (job.src.scratchDir !== undefined ? { scratchDir: job.src.scratchDir } : {});

/** True when a chain holds a layer anywhere at its top level. */
export const hasLayers = (steps: readonly TxStep[]): boolean => steps.some((s) => s.some((i) => i.kind === 'layer'));

async function sizeOf(input: string | Buffer): Promise<{ width: number; height: number }> {
  const m = await (await loadSharp())(input).metadata();
  return { width: m.width ?? 1, height: m.height ?? 1 };
}

/** Plans the params of some steps (arithmetic sizes resolved against the image they apply to). */
async function opsFor(steps: readonly TxStep[], input: string | Buffer, parent: { width: number; height: number } | null): Promise<ImageOp[]> {
  if (steps.length === 0) return [];
  const own = await sizeOf(input);
  const vars = { iw: own.width, ih: own.height, iar: own.width / own.height, ...(parent ? { bw: parent.width, bh: parent.height, bar: parent.width / parent.height } : {}) };
  const resolved = resolveSizes(steps, vars);
  if ('failed' in resolved) throw new IkError(400, `Invalid transformation: cannot evaluate "${resolved.failed}".`);
  const planned = planTransformation(stringifyTransformation(resolved));
  return planned.ops;
}

/**
 * Runs `steps` on `input`. `parent` is the size of the image a layer sits on (for `bw`/`bh`);
 * `finalOps` (format/quality) are added at the very end, else the result is an uncompressed PNG.
 */
async function run(input: string | Buffer, steps: readonly TxStep[], job: Job, depth: number, parent: { width: number; height: number } | null, finalOps: ImageOp[] | null): Promise<RenderedImage> {
  let current: string | Buffer = input;
  let pending: TxStep[] = [];
  const output: ImageOp[] = [];
  const flush = async (): Promise<string | Buffer> => {
    const ops = await opsFor(pending, current, parent);
    pending = [];
    output.push(...ops.filter((o) => OUTPUT_OPS.has(o.op)));
    const geometry = ops.filter((o) => !OUTPUT_OPS.has(o.op));
    if (geometry.length === 0) return current;
    return (await renderImage(current, [...geometry, { op: 'format', format: 'png' }], renderOptions(job))).data;
  };
  for (const step of steps) {
    const params = step.filter((i) => i.kind === 'param');
    const layers = step.filter((i): i is TxLayer => i.kind === 'layer');
    if (params.length > 0) pending.push(params);
    if (layers.length === 0) continue;
    current = await flush();
    let base: Raster = { input: current, ...(await sizeOf(current)) };
    for (const layer of layers) base = await drawLayer(base, layer, job, depth + 1);
    current = base.input;
  }
  const rest = await opsFor(pending, current, parent);
  const all = [...rest.filter((o) => !OUTPUT_OPS.has(o.op)), ...output, ...rest.filter((o) => OUTPUT_OPS.has(o.op))];
  return renderImage(current, finalOps ? [...all, ...finalOps] : [...all.filter((o) => !OUTPUT_OPS.has(o.op)), { op: 'format', format: 'png' }], renderOptions(job));
}

const px = (what: string, expr: string, vars: Readonly<Record<string, number>>): number => {
  const n = evalExpr(expr, vars);
  if (n === null) throw new IkError(400, `Invalid transformation: cannot evaluate ${what} "${expr}".`);
  return n;
};

/** The layer's own picture, before its steps run. */
async function layerSource(spec: LayerSpec, base: Raster, job: Job): Promise<string | Buffer> {
  const vars = { bw: base.width, bh: base.height, bar: base.width / base.height };
  if (spec.kind === 'text') {
    const { width, fontSize, padding, ...look } = spec.style;
    const [t, r, b, l] = padding.map((p) => px('pa', p, vars));
    const box = await textBox(spec.text, {
      ...look,
      fontSize: Math.round(px('fs', fontSize, vars)),
      padding: [t ?? 0, r ?? 0, b ?? 0, l ?? 0],
      ...(width !== undefined ? { width: px('w', width, vars) } : {}),
    }, job.scratch);
    return box.input;
  }
  if (spec.kind === 'canvas') {
    const w = spec.width !== undefined ? px('w', spec.width, vars) : base.width;
    const h = spec.height !== undefined ? px('h', spec.height, vars) : base.height;
    return (await canvas(w, h, spec.color, job.scratch)).input;
  }
  const { store, signed } = job.src;
  const file = store.byPath(spec.path);
  if (!file || !file.isPublished || (file.isPrivateFile && !signed)) throw new IkError(404, `Layer image not found: ${spec.path}`);
  const v = currentVersion(file);
  if (v.fileType !== 'image') throw new IkError(400, `The layer input ${spec.path} is not an image.`);
  return store.blobPath(v);
}

async function drawLayer(base: Raster, layer: TxLayer, job: Job, depth: number): Promise<Raster> {
  job.layers += 1;
  if (job.layers > MAX_LAYERS) throw new IkError(400, `At most ${MAX_LAYERS} layers can be drawn in one request.`);
  if (depth > MAX_DEPTH) throw new IkError(400, `Layers can be nested at most ${MAX_DEPTH} deep.`);
  const parsed = toLayerSpec(layer);
  if (!parsed.ok) throw new IkError(400, `Invalid transformation: ${parsed.message}`);
  const spec = parsed.spec;
  const input = await layerSource(spec, base, job);
  const rendered = await run(input, spec.steps, job, depth, { width: base.width, height: base.height }, null);
  let picture: Raster = { input: rendered.data, width: rendered.width, height: rendered.height };
  if (spec.alpha !== undefined) picture = await withOpacity(picture, spec.alpha / 10, job.scratch);
  const at = layerPosition(spec.placement, base.width, base.height, picture.width, picture.height);
  if (!at) throw new IkError(400, 'Invalid transformation: a layer position cannot be evaluated.');
  return compositeAt(base, picture, at.left, at.top, spec.placement.mode, job.scratch);
}

/**
 * Renders `steps` (holding layers) on the stored image `input` whose format is `sourceFormat`
 * (`jpg`, `png`...): the output keeps it unless the chain sets `f-`.
 */
export async function renderLayered(input: string, steps: readonly TxStep[], sourceFormat: string, src: LayerSources): Promise<RenderedImage> {
  const format = sourceFormat === 'jpg' ? 'jpeg' : sourceFormat;
  const chainSetsFormat = steps.some((s) => s.some((i) => i.kind === 'param' && i.key === 'f'));
  const keep: ImageOp[] = !chainSetsFormat && ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'].includes(format) ? [{ op: 'format', format: format as 'jpeg' }] : [];
  const dir = await mkdtemp(path.join(src.scratchDir ?? os.tmpdir(), 'ferry-layers-'));
  let n = 0;
  try {
    return await run(input, steps, { src, layers: 0, scratch: { next: () => path.join(dir, `${n++}.png`) } }, 0, null, keep);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
