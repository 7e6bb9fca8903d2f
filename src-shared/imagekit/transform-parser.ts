/**
 * Parser for ImageKit transformation strings (`<TX>` from a `/tr:<TX>/` path segment or the
 * decoded `tr` query value), for the local cloud. Grammar (spec §4.1): steps split by `:`,
 * parameters by `,`, each parameter `<key>[-<value>]` (a `:` followed by a number continues a
 * value instead, as in `ar-4:3`); `l-<type>,…,l-end` opens a nested layer
 * group that may itself hold chained steps.
 */
export { defaultImageOf, toRenderOps } from './render-ops.js';
export type { RenderOp, RenderOpsResult, Dim, FitMode, Gravity } from './render-ops.js';

/** One parameter; `value` is null for a bare flag (`e-grayscale`, `orig`). */
export type TxParam = { readonly kind: 'param'; readonly key: string; readonly value: string | null };

/** A layer group `l-<layerType>,…,l-end` with its own chain of steps. */
export type TxLayer = { readonly kind: 'layer'; readonly layerType: string; readonly steps: readonly TxStep[] };

export type TxItem = TxParam | TxLayer;

/** One step: the parameters applied together. */
export type TxStep = readonly TxItem[];

/** Outcome of {@link parseTransformation}; messages are fit for a 400 body. */
export type TxParseResult = { ok: true; steps: TxStep[] } | { ok: false; message: string };

const KEY = /^[a-z][a-z0-9_]*$/i;

/**
 * Splits one parameter into key and value. Keys are single words except effects, where the key
 * is `e-<name>` and the rest after the next `-` is the value (`e-usm-2-2-0.8-0.024`). Every other
 * known key (§4.5) is one word, so the first `-` ends it and values may contain `-` (`ar-4-3`).
 */
function parseParam(token: string): TxParam | string {
  let key: string;
  let value: string | null;
  if (/^e-/i.test(token)) {
    const rest = token.slice(2);
    const dash = rest.indexOf('-');
    const name = dash < 0 ? rest : rest.slice(0, dash);
    if (name === '') return `Effect name missing in "${token}".`;
    key = `e-${name}`;
    value = dash < 0 ? null : rest.slice(dash + 1);
  } else {
    const dash = token.indexOf('-');
    key = dash < 0 ? token : token.slice(0, dash);
    value = dash < 0 ? null : token.slice(dash + 1);
  }
  if (!KEY.test(key.replace(/^e-/i, ''))) return `Invalid transformation parameter "${token}".`;
  // `di-` (no default image) is what v6 and v7 write for `defaultImage: ''`; other keys need a value.
  if (value === '' && key.toLowerCase() !== 'di') return `Missing value for transformation parameter "${key}".`;
  return { kind: 'param', key: key.toLowerCase(), value };
}

type Frame = { layerType: string | null; steps: TxStep[]; current: TxItem[] };

/** Closes the frame's current step; an empty one means `::`, a leading `:` or similar. */
function closeStep(frame: Frame): string | null {
  if (frame.current.length === 0) return 'Empty transformation step (check for a stray ":").';
  frame.steps.push(frame.current);
  frame.current = [];
  return null;
}

/** Parses `<TX>` into steps. Errors name the offending parameter. */
export function parseTransformation(tx: string): TxParseResult {
  if (tx.trim() === '') return { ok: false, message: 'Empty transformation string.' };
  const stack: Frame[] = [{ layerType: null, steps: [], current: [] }];
  const tokens = tx.split(/([,:])/);
  for (let i = 0; i < tokens.length; i += 2) {
    const separator = i > 0 ? tokens[i - 1] : undefined;
    const token = tokens[i] ?? '';
    let frame = stack[stack.length - 1] as Frame;
    // `ar-4:3`: a step cannot start with a digit, so `:<number>` continues the previous value.
    const prev = frame.current[frame.current.length - 1];
    if (separator === ':' && /^\d+(\.\d+)?$/.test(token) && prev?.kind === 'param' && prev.value !== null) {
      frame.current[frame.current.length - 1] = { ...prev, value: `${prev.value}:${token}` };
      continue;
    }
    if (separator === ':') {
      const err = closeStep(frame);
      if (err) return { ok: false, message: err };
    }
    if (token === '') {
      const step = separator === ':' || tokens[i + 1] === ':';
      return { ok: false, message: step ? 'Empty transformation step (check for a stray ":").' : 'Empty transformation parameter (check for a stray ",").' };
    }
    const param = parseParam(token);
    if (typeof param === 'string') return { ok: false, message: param };
    if (param.key !== 'l') {
      frame.current.push(param);
      continue;
    }
    if (param.value === null) return { ok: false, message: 'Layer parameter needs a type, e.g. "l-image" or "l-text".' };
    if (param.value !== 'end') {
      stack.push({ layerType: param.value, steps: [], current: [] });
      continue;
    }
    if (stack.length === 1) return { ok: false, message: '"l-end" has no matching "l-<type>".' };
    if (frame.current.length === 0) {
      return { ok: false, message: `Layer "l-${frame.layerType ?? ''}" has no parameters before "l-end".` };
    }
    closeStep(frame);
    stack.pop();
    const layer: TxLayer = { kind: 'layer', layerType: frame.layerType ?? '', steps: frame.steps };
    frame = stack[stack.length - 1] as Frame;
    frame.current.push(layer);
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1] as Frame;
    return { ok: false, message: `Layer "l-${open.layerType ?? ''}" is not closed with "l-end".` };
  }
  const root = stack[0] as Frame;
  const err = closeStep(root);
  if (err) return { ok: false, message: err };
  return { ok: true, steps: root.steps };
}

/** Serialises parsed steps back to `<TX>` (inverse of {@link parseTransformation}). */
export function stringifyTransformation(steps: readonly TxStep[]): string {
  return steps
    .map((step) =>
      step
        .map((item) =>
          item.kind === 'param'
            ? item.value === null
              ? item.key
              : `${item.key}-${item.value}`
            : `l-${item.layerType},${stringifyTransformation(item.steps)},l-end`,
        )
        .join(','),
    )
    .join(':');
}
