/**
 * Maps parsed ImageKit transformations to a neutral op list the local cloud renders with sharp.
 * Only the image subset below is supported; anything else is reported in `unsupported` so the
 * server can answer 400 naming it. Within one step ops come out in a fixed order (trim, resize,
 * rotate, flip, effects, round, border, background, then output settings) because ImageKit
 * applies a step's parameters together, not in the order they were written.
 */
import type { TxParam, TxStep } from './transform-parser.js';
import { parseTransformation } from './transform-parser.js';

/** A size in pixels, or a fraction (0 < f < 1) of the input size (`w-0.5`). */
export type Dim = { readonly px: number } | { readonly fraction: number };

/** `cover` = c-maintain_ratio (default), `fill` = c-force, `inside` = c-at_max(_enlarge),
 * `outside` = c-at_least, `contain` = cm-pad_resize / cm-pad_extract, `extract` = cm-extract. */
export type FitMode = 'cover' | 'fill' | 'inside' | 'outside' | 'contain' | 'extract';

/** Focus (`fo-`): compass gravity, or `attention` for fo-auto / fo-face (closest sharp has). */
export type Gravity = 'center' | 'top' | 'bottom' | 'left' | 'right' | 'top_left' | 'top_right' | 'bottom_left' | 'bottom_right' | 'attention';

/** One render operation; colours are `#rrggbb[aa]` or a CSS colour name. */
export type RenderOp =
  | { readonly op: 'original' }
  | { readonly op: 'trim'; readonly threshold: number }
  | {
      readonly op: 'resize';
      readonly width?: Dim;
      readonly height?: Dim;
      /** width / height, from `ar-W-H`; the renderer derives the missing side. */
      readonly aspectRatio?: number;
      readonly fit: FitMode;
      readonly position: Gravity;
      readonly withoutEnlargement: boolean;
      readonly background?: string;
      /** Top-left corner (x, y) or centre (xc, yc) of a cm-extract region, in pixels. */
      readonly x?: number;
      readonly y?: number;
      readonly xCenter?: number;
      readonly yCenter?: number;
    }
  | { readonly op: 'rotate'; readonly degrees: number | 'auto' }
  | { readonly op: 'flip' } // vertical mirror (top ↔ bottom), sharp `flip`
  | { readonly op: 'flop' } // horizontal mirror (left ↔ right), sharp `flop`
  | { readonly op: 'blur'; readonly sigma: number }
  | { readonly op: 'grayscale' }
  | { readonly op: 'sharpen'; readonly amount?: number }
  | { readonly op: 'contrast' }
  | { readonly op: 'round'; readonly radius: number | 'max' }
  | { readonly op: 'border'; readonly width: number; readonly color: string }
  | { readonly op: 'background'; readonly color: string }
  | { readonly op: 'format'; readonly format: string }
  | { readonly op: 'quality'; readonly quality: number };

/** Ops to run in order, plus keys the renderer cannot do (unique, first-seen order). */
export type RenderOpsResult =
  | { ok: true; ops: RenderOp[]; unsupported: string[] }
  | { ok: false; message: string };

/** Options of {@link toRenderOps}. */
export type RenderOpsOptions = {
  /** Named transformations (`n-<name>` → `<TX>`), e.g. the media-library thumbnail. */
  readonly named?: Readonly<Record<string, string>>;
};

// `di` is in the list because the delivery handler consumes it (defaultImageOf) before rendering.
const SUPPORTED = new Set(['w', 'h', 'c', 'cm', 'ar', 'fo', 'x', 'y', 'xc', 'yc', 'dpr', 'q', 'f', 'rt', 'bl', 'e-grayscale', 'e-sharpen', 'e-contrast', 'fl', 'b', 'r', 'bg', 't', 'orig', 'di']);
/** `c-` crop strategies → fit and "without enlargement"; images and videos read them alike. */
export const CROPS: Readonly<Record<string, readonly ['cover' | 'fill' | 'inside' | 'outside', boolean]>> = {
  maintain_ratio: ['cover', false],
  force: ['fill', false],
  at_max: ['inside', true],
  at_max_enlarge: ['inside', false],
  at_least: ['outside', false],
};
const CROP_MODES: Record<string, [FitMode, boolean]> = { pad_resize: ['contain', false], pad_extract: ['contain', true], extract: ['extract', false] };
const GRAVITIES = new Set<string>(['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right']);
const FORMATS = new Set(['auto', 'orig', 'jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'heif']);

class InvalidValue extends Error {}

/** A table entry by own key: a URL value such as `c-constructor` must not reach Object.prototype. */
export const ownEntry = <T>(table: Readonly<Record<string, T>>, key: string | null): T | undefined =>
  key !== null && Object.hasOwn(table, key) ? table[key] : undefined;

const fail = (key: string, value: string | null): never => {
  throw new InvalidValue(`Invalid value "${value ?? ''}" for transformation parameter "${key}".`);
};

function num(key: string, value: string | null, min: number, max: number): number {
  const n = value !== null && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? n : fail(key, value);
}

function color(key: string, value: string | null): string {
  if (value !== null && /^([0-9a-f]{6}|[0-9a-f]{8})$/i.test(value)) return `#${value.toLowerCase()}`;
  // A name (`white`); none is made only of hex letters, so `ABCDEFA` is a mistyped hex, not a
  // name the renderer would choke on (the same rule as layer colours).
  if (value !== null && /^[a-z]{3,20}$/i.test(value) && !/^[a-f]+$/i.test(value)) return value.toLowerCase();
  return fail(key, value);
}

function dim(key: string, value: string | null): Dim {
  const n = num(key, value, Number.MIN_VALUE, 20000);
  return n < 1 ? { fraction: n } : { px: Math.round(n) };
}

const scale = (d: Dim | undefined, dpr: number): Dim | undefined =>
  d && 'px' in d && dpr !== 1 ? { px: Math.round(d.px * dpr) } : d;

/** Converts one step (params only; layers were filtered out) to ops. */
function stepOps(params: ReadonlyMap<string, string | null>): RenderOp[] {
  const ops: RenderOp[] = [];
  const has = (k: string): boolean => params.has(k);
  const v = (k: string): string | null => params.get(k) ?? null;
  if (has('orig') && v('orig') !== 'false') ops.push({ op: 'original' });
  if (has('t') && v('t') !== 'false') ops.push({ op: 'trim', threshold: v('t') === null || v('t') === 'true' ? 10 : num('t', v('t'), 1, 99) });

  const dpr = has('dpr') && v('dpr') !== 'auto' ? num('dpr', v('dpr'), 0.1, 5) : 1;
  let background: string | undefined = has('bg') ? color('bg', v('bg')) : undefined;
  // An aspect ratio alone resizes nothing: it needs a width or a height to derive the other.
  if (has('w') || has('h')) {
    let [fit, withoutEnlargement]: [FitMode, boolean] = ['cover', false];
    if (has('c')) [fit, withoutEnlargement] = ownEntry(CROPS, v('c')) ?? fail('c', v('c'));
    if (has('cm')) [fit, withoutEnlargement] = ownEntry(CROP_MODES, v('cm')) ?? fail('cm', v('cm'));
    const fo = v('fo');
    const position: Gravity = !has('fo') ? 'center' : fo === 'auto' || fo === 'face' ? 'attention' : GRAVITIES.has(fo ?? '') ? (fo as Gravity) : fail('fo', fo);
    let aspectRatio: number | undefined;
    if (has('ar')) {
      const m = /^(\d+(?:\.\d+)?)[-:](\d+(?:\.\d+)?)$/.exec(v('ar') ?? '');
      aspectRatio = m && Number(m[1]) > 0 && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : fail('ar', v('ar'));
    }
    const op: RenderOp = {
      op: 'resize',
      fit,
      position,
      withoutEnlargement,
      ...(has('w') ? { width: scale(dim('w', v('w')), dpr) } : {}),
      ...(has('h') ? { height: scale(dim('h', v('h')), dpr) } : {}),
      ...(aspectRatio !== undefined ? { aspectRatio } : {}),
      ...(fit === 'contain' ? { background: background ?? '#ffffff' } : {}),
      ...(has('x') ? { x: num('x', v('x'), 0, 1e6) } : {}),
      ...(has('y') ? { y: num('y', v('y'), 0, 1e6) } : {}),
      ...(has('xc') ? { xCenter: num('xc', v('xc'), 0, 1e6) } : {}),
      ...(has('yc') ? { yCenter: num('yc', v('yc'), 0, 1e6) } : {}),
    };
    if (fit === 'contain') background = undefined; // consumed by the padding
    ops.push(op);
  }
  if (has('rt')) {
    const r = v('rt');
    if (r === 'auto') ops.push({ op: 'rotate', degrees: 'auto' });
    else ops.push({ op: 'rotate', degrees: r?.startsWith('N') ? -num('rt', r.slice(1), 0, 360) : num('rt', r, 0, 360) });
  }
  if (has('fl')) {
    const f = v('fl');
    if (f !== 'h' && f !== 'v' && f !== 'h_v' && f !== 'v_h') fail('fl', f);
    if (f !== 'h') ops.push({ op: 'flip' });
    if (f !== 'v') ops.push({ op: 'flop' });
  }
  if (has('bl')) ops.push({ op: 'blur', sigma: num('bl', v('bl'), 1, 100) });
  if (has('e-grayscale') && v('e-grayscale') !== 'false') ops.push({ op: 'grayscale' });
  // v6 writes `effectSharpen: true` as `e-sharpen-true`: the same as the bare flag.
  const sharpen = v('e-sharpen');
  if (has('e-sharpen')) ops.push(sharpen === null || sharpen === 'true' ? { op: 'sharpen' } : { op: 'sharpen', amount: num('e-sharpen', sharpen, 0, 100) });
  if (has('e-contrast') && v('e-contrast') !== 'false') ops.push({ op: 'contrast' });
  if (has('r')) ops.push({ op: 'round', radius: v('r') === 'max' ? 'max' : num('r', v('r'), 0, 1e5) });
  if (has('b')) {
    const m = /^(\d+)_(.+)$/.exec(v('b') ?? '');
    if (!m) fail('b', v('b'));
    ops.push({ op: 'border', width: num('b', m?.[1] ?? '', 0, 1e4), color: color('b', m?.[2] ?? null) });
  }
  if (background !== undefined) ops.push({ op: 'background', color: background });
  if (has('f')) ops.push({ op: 'format', format: FORMATS.has(v('f') ?? '') ? (v('f') as string) : fail('f', v('f')) });
  if (has('q')) ops.push({ op: 'quality', quality: num('q', v('q'), 1, 100) });
  return ops;
}

/** Expands `n-<name>` steps using `named`; unknown names stay (and are reported unsupported). */
function expandNamed(steps: readonly TxStep[], named: Readonly<Record<string, string>>): TxStep[] | string {
  const out: TxStep[] = [];
  for (const step of steps) {
    const n = step.find((i): i is TxParam => i.kind === 'param' && i.key === 'n');
    const tx = ownEntry(named, n?.value ?? null);
    if (tx === undefined) {
      out.push(step);
      continue;
    }
    const parsed = parseTransformation(tx);
    if (!parsed.ok) return `Named transformation "${n?.value ?? ''}" is invalid: ${parsed.message}`;
    out.push(...parsed.steps);
    const rest = step.filter((i) => i !== n);
    if (rest.length > 0) out.push(rest);
  }
  return out;
}

/** Converts parsed steps to render ops; invalid values of supported keys give `ok: false`. */
export function toRenderOps(steps: readonly TxStep[], opts: RenderOpsOptions = {}): RenderOpsResult {
  const expanded = expandNamed(steps, opts.named ?? {});
  if (typeof expanded === 'string') return { ok: false, message: expanded };
  const unsupported: string[] = [];
  const ops: RenderOp[] = [];
  try {
    for (const step of expanded) {
      const params = new Map<string, string | null>();
      for (const item of step) {
        const key = item.kind === 'layer' ? 'l' : item.key;
        if (item.kind === 'layer' || !SUPPORTED.has(key)) {
          if (!unsupported.includes(key)) unsupported.push(key);
        } else params.set(key, item.value);
      }
      ops.push(...stepOps(params));
    }
  } catch (err) {
    if (err instanceof InvalidValue) return { ok: false, message: err.message };
    throw err;
  }
  return { ok: true, ops, unsupported };
}

/**
 * The default image of a chain (`di-a@@b.png` → `/a/b.png`, served when the requested file does
 * not exist), or null for none; `di-` (empty) means none. The last `di` outside layers wins.
 */
export function defaultImageOf(steps: readonly TxStep[]): string | null {
  let found: string | null = null;
  for (const step of steps) {
    for (const item of step) if (item.kind === 'param' && item.key === 'di') found = item.value === null || item.value === '' ? null : `/${item.value.replace(/@@/g, '/')}`;
  }
  return found;
}
