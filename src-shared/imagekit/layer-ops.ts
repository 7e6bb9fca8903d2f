/**
 * ImageKit layers (`l-text|l-image,…,l-end`, spec §4.1/§4.4) → a neutral layer description the
 * local cloud renders with sharp. A layer's first step carries its input (`i-`, `ie-` base64),
 * its look (text: `fs`, `ff`, `co`, `bg`, `pa`, `w`, `ia`, `tg`, `lh`, `al`; canvas `i-ik_canvas`:
 * `bg`, `w`, `h`) and, in any step, its placement (`lx`, `ly`, `lxc`, `lyc`, `lfo`, `lap`, `lm`);
 * everything else (`w`, `rt`, `r`, nested layers, chained steps) transforms the layer itself.
 * Positions and sizes may be ImageKit arithmetic (`bw_mul_0.4`, `bh_sub_ch`, `N10`), evaluated
 * once the sizes are known.
 */
import { base64DecodeText } from '../filestack/base64.js';
import type { Gravity } from './render-ops.js';
import type { TxItem, TxLayer, TxParam, TxStep } from './transform-parser.js';

/** How a layer blends: ImageKit's `lm-` modes the emulator can do (`displace` it cannot). */
export type LayerMode = 'normal' | 'multiply' | 'cutout' | 'cutter';

/** Where a layer goes. Coordinates are unevaluated expressions; `anchor` is `lap` (top_left default). */
export type LayerPlacement = {
  readonly x?: string;
  readonly y?: string;
  readonly xCenter?: string;
  readonly yCenter?: string;
  /** `lfo`, used when no coordinate is given; ImageKit's default is the centre. */
  readonly focus: Exclude<Gravity, 'attention'>;
  readonly anchor: Exclude<Gravity, 'attention'>;
  readonly mode: LayerMode;
};

/** A colour as `#rrggbb` plus opacity 0–1 (ImageKit's 8-digit form ends in a 00–99 percentage). */
export type LayerColor = { readonly hex: string; readonly opacity: number };

/** A text layer's look. Sizes are expressions here (`Size` = string) and pixels once evaluated. */
export type TextStyle<Size = string> = {
  readonly fontSize: Size;
  readonly fontFamily: string;
  readonly color: LayerColor;
  readonly background?: LayerColor;
  /** Top, right, bottom, left (CSS shorthand order). */
  readonly padding: readonly [Size, Size, Size, Size];
  readonly width?: Size;
  readonly align: 'left' | 'center' | 'right';
  readonly bold: boolean;
  readonly italic: boolean;
  readonly strikethrough: boolean;
  readonly lineHeight?: number;
};

/** One layer; `steps` transform it (and may hold nested layers). `alpha` 1–9 → opacity 0.1–0.9. */
export type LayerSpec =
  | { readonly kind: 'text'; readonly text: string; readonly style: TextStyle; readonly alpha?: number; readonly placement: LayerPlacement; readonly steps: readonly TxStep[] }
  | { readonly kind: 'image'; readonly path: string; readonly alpha?: number; readonly placement: LayerPlacement; readonly steps: readonly TxStep[] }
  | { readonly kind: 'canvas'; readonly color: LayerColor; readonly width?: string; readonly height?: string; readonly alpha?: number; readonly placement: LayerPlacement; readonly steps: readonly TxStep[] };

export type LayerSpecResult = { ok: true; spec: LayerSpec } | { ok: false; message: string };

/** Longest text a layer renders (ImageKit has its own limits; this bounds the work here). */
export const MAX_LAYER_TEXT = 500;

const PLACEMENT_KEYS = new Set(['lx', 'ly', 'lxc', 'lyc', 'lfo', 'lap', 'lm']);
const TIMING_KEYS = new Set(['lso', 'leo', 'ldu']);
const TEXT_KEYS = new Set(['i', 'ie', 'fs', 'ff', 'co', 'bg', 'pa', 'w', 'ia', 'tg', 'lh', 'al']);
const IMAGE_KEYS = new Set(['i', 'ie', 'al']);
const CANVAS_KEYS = new Set(['i', 'ie', 'bg', 'w', 'h', 'al']);
const GRAVITIES = new Set(['center', 'top', 'bottom', 'left', 'right', 'top_left', 'top_right', 'bottom_left', 'bottom_right']);
const EXPR = /^(N?\d+(\.\d+)?|[a-z]{2,4})(_(add|sub|mul|div|mod|pow)_(N?\d+(\.\d+)?|[a-z]{2,4}))*$/;

class Invalid extends Error {}
const bad = (key: string, value: string | null): never => {
  throw new Invalid(`Invalid value "${value ?? ''}" for layer parameter "${key}".`);
};

/** Parses an ImageKit colour: 6 hex digits, 8 (the last two a 00–99 opacity), or a name. */
export function layerColor(key: string, value: string | null): LayerColor {
  const v = value ?? '';
  if (/^[0-9a-f]{6}$/i.test(v)) return { hex: `#${v.toLowerCase()}`, opacity: 1 };
  if (/^[0-9a-f]{6}[0-9]{2}$/i.test(v)) return { hex: `#${v.slice(0, 6).toLowerCase()}`, opacity: Number(v.slice(6)) / 100 };
  // A name (`white`): no CSS colour name is made only of hex letters, so `AABBCCFF` is a bad hex.
  if (/^[a-z]{3,20}$/i.test(v) && !/^[a-f]+$/i.test(v)) return { hex: v.toLowerCase(), opacity: 1 };
  return bad(key, value);
}

const expr = (key: string, value: string | null): string => (value !== null && EXPR.test(value) ? value : bad(key, value));

/**
 * Evaluates an expression left to right with `vars` (`bw`, `bh`, `cw`, `ch`, `iw`, `ih`, ...).
 * `N` marks a negative number. Null when it names an unknown variable or divides by zero.
 */
export function evalExpr(text: string, vars: Readonly<Record<string, number>>): number | null {
  const parts = text.split('_');
  const operand = (p: string | undefined): number | null => {
    if (p === undefined) return null;
    if (/^N?\d+(\.\d+)?$/.test(p)) return p.startsWith('N') ? -Number(p.slice(1)) : Number(p);
    return vars[p] ?? null;
  };
  let acc = operand(parts[0]);
  for (let i = 1; i + 1 < parts.length && acc !== null; i += 2) {
    const rhs = operand(parts[i + 1]);
    if (rhs === null) return null;
    const op = parts[i];
    // A zero divisor needs no check of its own: it gives ±Infinity or NaN, refused below.
    acc = op === 'add' ? acc + rhs : op === 'sub' ? acc - rhs : op === 'mul' ? acc * rhs : op === 'div' ? acc / rhs : op === 'mod' ? acc % rhs : acc ** rhs;
  }
  return acc !== null && Number.isFinite(acc) ? acc : null;
}

/** The layer's input: `i-` as written (`@@` = `/` for paths), or `ie-` base64 of UTF-8. */
function input(first: ReadonlyMap<string, string | null>, asPath: boolean): string {
  const ie = first.get('ie');
  if (ie !== undefined) {
    const decoded = ie === null ? null : base64DecodeText(ie);
    return decoded ?? bad('ie', ie);
  }
  const i = first.get('i');
  if (i === undefined || i === null || i === '') throw new Invalid('A layer needs its input: i-<value> or ie-<base64>.');
  return asPath ? i.replace(/@@/g, '/') : i;
}

function placement(params: ReadonlyMap<string, string | null>): LayerPlacement {
  const v = (k: string): string | null => params.get(k) ?? null;
  const gravity = (k: string, dflt: Exclude<Gravity, 'attention'>): Exclude<Gravity, 'attention'> =>
    params.has(k) ? (GRAVITIES.has(v(k) ?? '') ? (v(k) as Exclude<Gravity, 'attention'>) : bad(k, v(k))) : dflt;
  const lm = params.has('lm') ? v('lm') : 'normal';
  if (lm === 'displace') throw new Invalid('Layer mode "displace" is not supported on the local cloud.');
  const mode: LayerMode = lm === 'normal' || lm === 'multiply' || lm === 'cutout' || lm === 'cutter' ? lm : bad('lm', lm);
  return {
    ...(params.has('lx') ? { x: expr('lx', v('lx')) } : {}),
    ...(params.has('ly') ? { y: expr('ly', v('ly')) } : {}),
    ...(params.has('lxc') ? { xCenter: expr('lxc', v('lxc')) } : {}),
    ...(params.has('lyc') ? { yCenter: expr('lyc', v('lyc')) } : {}),
    focus: gravity('lfo', 'center'),
    anchor: gravity('lap', 'top_left'),
    mode,
  };
}

function textStyle(p: ReadonlyMap<string, string | null>): TextStyle {
  const v = (k: string): string | null => p.get(k) ?? null;
  const pads = p.has('pa') ? (v('pa') ?? '').split('_').map((x) => expr('pa', x)) : ['0'];
  if (pads.length > 4) bad('pa', v('pa'));
  const [t = '0', r = t, b = t, l = r] = pads;
  const tg = new Set(p.has('tg') ? (v('tg') ?? '').split('_') : []);
  for (const style of tg) if (style !== 'b' && style !== 'i' && style !== 'strikethrough') bad('tg', v('tg'));
  const align = p.has('ia') ? v('ia') : 'center';
  if (align !== 'left' && align !== 'center' && align !== 'right') return bad('ia', v('ia'));
  const lh = p.has('lh') ? Number(v('lh')) : undefined;
  if (lh !== undefined && !(lh > 0 && lh <= 1000)) bad('lh', v('lh'));
  return {
    fontSize: p.has('fs') ? expr('fs', v('fs')) : '14',
    fontFamily: p.has('ff') ? (/^[A-Za-z0-9 _@.-]{1,64}$/.test(v('ff') ?? '') ? (v('ff') ?? '') : bad('ff', v('ff'))) : 'DejaVu Sans',
    color: p.has('co') ? layerColor('co', v('co')) : { hex: '#000000', opacity: 1 },
    ...(p.has('bg') ? { background: layerColor('bg', v('bg')) } : {}),
    padding: [t, r, b, l],
    ...(p.has('w') ? { width: expr('w', v('w')) } : {}),
    align,
    bold: tg.has('b'),
    italic: tg.has('i'),
    strikethrough: tg.has('strikethrough'),
    ...(lh !== undefined ? { lineHeight: lh } : {}),
  };
}

const alphaOf = (p: ReadonlyMap<string, string | null>): number | undefined => {
  if (!p.has('al')) return undefined;
  const a = Number(p.get('al'));
  return Number.isInteger(a) && a >= 1 && a <= 9 ? a : bad('al', p.get('al') ?? null);
};

/** Splits a layer's steps: placement params (any step), the first step's own keys, the rest. */
function split(layer: TxLayer, own: ReadonlySet<string>): { place: Map<string, string | null>; first: Map<string, string | null>; steps: TxStep[] } {
  const place = new Map<string, string | null>();
  const first = new Map<string, string | null>();
  const steps: TxStep[] = [];
  layer.steps.forEach((step, index) => {
    const rest: TxItem[] = [];
    for (const item of step) {
      if (item.kind === 'param' && PLACEMENT_KEYS.has(item.key)) place.set(item.key, item.value);
      else if (item.kind === 'param' && TIMING_KEYS.has(item.key)) continue; // video-only timing: no effect on an image
      else if (index === 0 && item.kind === 'param' && own.has(item.key)) first.set(item.key, (item as TxParam).value);
      else rest.push(item);
    }
    if (rest.length > 0) steps.push(rest);
  });
  return { place, first, steps };
}

/** Describes one parsed layer; errors are 400-ready messages. */
export function toLayerSpec(layer: TxLayer): LayerSpecResult {
  try {
    if (layer.layerType === 'text') {
      const { place, first, steps } = split(layer, TEXT_KEYS);
      const text = input(first, false);
      if (text.length > MAX_LAYER_TEXT) throw new Invalid(`A text layer may hold at most ${MAX_LAYER_TEXT} characters.`);
      const alpha = alphaOf(first);
      return { ok: true, spec: { kind: 'text', text, style: textStyle(first), ...(alpha !== undefined ? { alpha } : {}), placement: placement(place), steps } };
    }
    if (layer.layerType === 'image') {
      const isCanvas = layer.steps[0]?.some((i) => i.kind === 'param' && i.key === 'i' && i.value === 'ik_canvas') ?? false;
      const { place, first, steps } = split(layer, isCanvas ? CANVAS_KEYS : IMAGE_KEYS);
      const alpha = alphaOf(first);
      const common = { ...(alpha !== undefined ? { alpha } : {}), placement: placement(place), steps };
      if (!isCanvas) return { ok: true, spec: { kind: 'image', path: `/${input(first, true).replace(/^\/+/, '')}`, ...common } };
      const color = first.has('bg') ? layerColor('bg', first.get('bg') ?? null) : { hex: '#ffffff', opacity: 1 };
      const width = first.has('w') ? expr('w', first.get('w') ?? null) : undefined;
      const height = first.has('h') ? expr('h', first.get('h') ?? null) : undefined;
      return { ok: true, spec: { kind: 'canvas', color, ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}), ...common } };
    }
    return { ok: false, message: `"l-${layer.layerType}" layers are not supported on images by the local cloud (use l-text or l-image).` };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, message: err.message };
    throw err;
  }
}

const PLAIN_NUMBER = /^\d+(\.\d+)?$/;
const SIZE_KEYS = new Set(['w', 'h']);

/**
 * Evaluates arithmetic in the sizes (`w`, `h`) of the steps' own parameters (nested layers keep
 * theirs for their own turn). Null names the first value that cannot be evaluated.
 */
export function resolveSizes(steps: readonly TxStep[], vars: Readonly<Record<string, number>>): TxStep[] | { failed: string } {
  const out: TxStep[] = [];
  for (const step of steps) {
    const items: TxItem[] = [];
    for (const item of step) {
      if (item.kind !== 'param' || !SIZE_KEYS.has(item.key) || item.value === null || PLAIN_NUMBER.test(item.value)) {
        items.push(item);
        continue;
      }
      const n = EXPR.test(item.value) ? evalExpr(item.value, vars) : null;
      if (n === null || n <= 0) return { failed: `${item.key}-${item.value}` };
      items.push({ ...item, value: String(Math.max(1, Math.round(n))) });
    }
    out.push(items);
  }
  return out;
}

/** Where a `cw`×`ch` layer's top-left corner goes on a `bw`×`bh` base; null for a bad expression. */
export function layerPosition(p: LayerPlacement, bw: number, bh: number, cw: number, ch: number): { left: number; top: number } | null {
  const vars = { bw, bh, bar: bw / bh, cw, ch, car: cw / ch };
  const evalOr = (e: string | undefined): number | null | undefined => (e === undefined ? undefined : evalExpr(e, vars));
  const x = evalOr(p.x);
  const y = evalOr(p.y);
  const xc = evalOr(p.xCenter);
  const yc = evalOr(p.yCenter);
  if (x === null || y === null || xc === null || yc === null) return null;
  const free = { x: bw - cw, y: bh - ch };
  const along = (g: string, axis: 'x' | 'y'): number => {
    const [lo, hi] = axis === 'x' ? ['left', 'right'] : ['top', 'bottom'];
    if (g.includes(lo)) return 0;
    if (g.includes(hi)) return free[axis];
    return Math.floor(free[axis] / 2);
  };
  if (x === undefined && y === undefined && xc === undefined && yc === undefined) return { left: along(p.focus, 'x'), top: along(p.focus, 'y') };
  // Offsets count from the anchor (`lap`, default top_left) towards the inside of the base.
  const offset = (axis: 'x' | 'y', v: number): number => {
    const [lo, hi] = axis === 'x' ? ['left', 'right'] : ['top', 'bottom'];
    if (p.anchor.includes(lo)) return v;
    if (p.anchor.includes(hi)) return free[axis] - v;
    return Math.floor(free[axis] / 2) + v;
  };
  const left = xc !== undefined ? offset('x', xc - cw / 2) : offset('x', x ?? 0);
  const top = yc !== undefined ? offset('y', yc - ch / 2) : offset('y', y ?? 0);
  return { left: Math.round(left), top: Math.round(top) };
}
