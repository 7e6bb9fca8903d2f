/**
 * Transformation steps → `<TX>` (spec §4.2, §4.4, §4.5): parameters of a step joined with `,`,
 * steps with `:`. Option keys with a v7 name follow v7's value rules; the keys only v6 knows
 * (`effectContrast`, `effectGray`, `rotate`, ...) follow v6's, so settings written for either SDK
 * give the URL that SDK gives. A value that cannot be written into a URL (an object, a function,
 * a non-finite number) is a FerryError(bad_request) naming the key, never `[object Object]`.
 */
import { appError, FerryError } from '../errors.js';
import { overlayString, type Overlay } from './overlay.js';
import { FLAG_EFFECTS, isV6OnlyKey, OPTIONAL_VALUE_EFFECTS, PATH_VALUE_PARAMS, urlParamFor } from './transform-keys.js';

/** One option value; arrays are joined with `_` (ImageKit's list separator, e.g. `sr-240_360`). */
export type TransformValue = string | number | boolean | readonly (string | number)[] | null | undefined;

/**
 * One step of a chain: option keys (v7 names, v6 aliases, or raw URL params) → values, plus a
 * layer. (An interface only because a layer holds steps of its own: type aliases cannot recurse.)
 */
export interface TransformStep {
  readonly overlay?: Overlay<TransformStep> | null;
  readonly [key: string]: TransformValue | Overlay<TransformStep>;
}

const badValue = (key: string, why: string): FerryError =>
  new FerryError(appError('bad_request', `The transformation option "${key}" ${why}.`, { details: { key } }));

/** The text of a scalar value; refuses what has no URL form. */
function scalarText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badValue(key, `must be a finite number, got ${String(value)}`);
    return String(value);
  }
  throw badValue(key, `cannot be written into a URL (got ${Array.isArray(value) ? 'a nested array' : value === null ? 'null' : typeof value})`);
}

/** The text of a value; arrays (of scalars) are joined with `_`. */
function valueText(key: string, value: unknown): string {
  return Array.isArray(value) ? value.map((v: unknown) => scalarText(key, v)).join('_') : scalarText(key, value);
}

const isOn = (v: unknown): boolean => v === true || v === 'true';
const stripSlashes = (s: string): string => s.replace(/^\//, '').replace(/\/$/, '');

/**
 * v6's rule (§4.2): `-` → bare key, anything else `key-String(value)`. (v6 also strips the slashes
 * of `di`, but `defaultImage` is not a v6-only key, so v7's rule writes it.)
 */
function renderV6(param: string, key: string, value: unknown): string {
  if (value === '-') return param;
  return `${param}-${valueText(key, value)}`;
}

/** v7's rule (§4.4); an empty value still writes `key-` (e.g. `di-`), as v7 does. */
function renderV7(param: string, key: string, value: unknown): string | null {
  if (FLAG_EFFECTS.has(param)) return isOn(value) || value === '-' ? param : null;
  if (OPTIONAL_VALUE_EFFECTS.has(param) && (isOn(value) || (typeof value === 'string' && value.trim() === ''))) return param;
  if (value === '-') return param;
  let text = valueText(key, value);
  if (param === 't' && (value === true || text.trim() === '')) return 't-true';
  if (PATH_VALUE_PARAMS.has(param)) text = stripSlashes(text).replace(/\//g, '@@');
  return `${param}-${text}`;
}

/** Renders one option as a URL parameter, or null when the option emits nothing. */
function renderParam(key: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (key === 'raw') {
    const raw = scalarText(key, value);
    return raw === '' ? null : raw;
  }
  const param = urlParamFor(key);
  return isV6OnlyKey(key) ? renderV6(param, key, value) : renderV7(param, key, value);
}

/**
 * Builds `<TX>`. Empty steps are dropped so an all-undefined step does not produce a stray `:`.
 * Throws FerryError(bad_request) for a value that has no URL form.
 */
export function buildTransformationString(steps: readonly TransformStep[] | undefined): string {
  if (!steps) return '';
  const rendered: string[] = [];
  for (const step of steps) {
    const params: string[] = [];
    for (const [key, value] of Object.entries(step)) {
      let p: string | null;
      if (key === 'overlay' && value !== undefined && value !== null) {
        if (typeof value !== 'object' || Array.isArray(value)) throw badValue(key, 'must be an object with a type');
        p = overlayString(value as Overlay<TransformStep>, buildTransformationString);
      } else p = renderParam(key, value);
      if (p !== null) params.push(p);
    }
    if (params.length > 0) rendered.push(params.join(','));
  }
  return rendered.join(':');
}
