/**
 * Tiny parameter-validator combinators for the task catalog. A validator returns `null` when the
 * value is fine, otherwise a phrase that completes "must be …" in an error message.
 */
import type { TaskValue } from './types.js';

/** Returns null when `value` is acceptable, else what the value must be. */
export type ParamValidator = (value: TaskValue) => string | null;

// Parsed URLs deliver numbers as numbers, but a hand-built step may carry "100"; accept both.
function asNumber(value: TaskValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return null;
}

/** An integer in [min, max]. */
export const int =
  (min: number, max: number): ParamValidator =>
  (v) => {
    const n = asNumber(v);
    return n !== null && Number.isInteger(n) && n >= min && n <= max ? null : `an integer from ${min} to ${max}`;
  };

/** A number in [min, max]. */
export const num =
  (min: number, max: number): ParamValidator =>
  (v) => {
    const n = asNumber(v);
    return n !== null && n >= min && n <= max ? null : `a number from ${min} to ${max}`;
  };

/** One of the listed words (compared case-sensitively unless `ignoreCase`). */
export const oneOf =
  (values: readonly string[], ignoreCase = false): ParamValidator =>
  (v) => {
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
    const hit = s !== null && values.some((x) => (ignoreCase ? x.toLowerCase() === s.toLowerCase() : x === s));
    return hit ? null : `one of ${values.join(', ')}`;
  };

/** `true` or `false`. */
export const bool: ParamValidator = (v) => (typeof v === 'boolean' || v === 'true' || v === 'false' ? null : 'true or false');

/** A non-empty string without `"` (a quote cannot be carried inside a quoted value, spec §7.1). */
export const str: ParamValidator = (v) =>
  (typeof v === 'string' && v.length > 0 && !v.includes('"')) || typeof v === 'number' ? null : 'a non-empty text without "';

/** A colour: hex RRGGBB / AARRGGBB (no `#`), or a colour word such as `white`, `transparent`. */
export const color: ParamValidator = (v) => {
  const s = typeof v === 'number' ? String(v) : v;
  return typeof s === 'string' && (/^([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(s) || /^[a-z]{3,20}$/.test(s))
    ? null
    : 'a colour (RRGGBB, AARRGGBB or a colour name)';
};

/** The first validator that accepts wins; the message lists all alternatives. */
export const anyOf =
  (...validators: readonly ParamValidator[]): ParamValidator =>
  (v) => {
    const msgs: string[] = [];
    for (const check of validators) {
      const m = check(v);
      if (m === null) return null;
      msgs.push(m);
    }
    return msgs.join(' or ');
  };

/** A bracketed list whose items all pass `item`, with `minLen..maxLen` items. */
export const listOf =
  (item: ParamValidator, minLen = 1, maxLen = 1000): ParamValidator =>
  (v) => {
    const what = minLen === maxLen ? `${minLen}` : `${minLen} to ${maxLen}`;
    const expected = `a list of ${what} items, each ${item('\u0000' as TaskValue) ?? 'valid'}`;
    if (!Array.isArray(v) || v.length < minLen || v.length > maxLen) return expected;
    return (v as readonly TaskValue[]).every((x) => item(x) === null) ? null : expected;
  };

/** Crop-style rectangle `[x,y,width,height]`: non-negative x/y, positive width/height. */
export const rect: ParamValidator = (v) => {
  const ok =
    Array.isArray(v) &&
    v.length === 4 &&
    int(0, 100_000)(v[0] as TaskValue) === null &&
    int(0, 100_000)(v[1] as TaskValue) === null &&
    int(1, 100_000)(v[2] as TaskValue) === null &&
    int(1, 100_000)(v[3] as TaskValue) === null;
  return ok ? null : 'a rectangle [x,y,width,height] of integers (x,y ≥ 0, width,height ≥ 1)';
};

/** A Filestack handle or an external URL (watermark / fallback / collage files). */
export const fileRef: ParamValidator = (v) =>
  typeof v === 'string' && (/^[\w-]{1,64}$/.test(v) || /^https?:\/\/[^"\s]+$/.test(v) || /^src:\/\/[^"\s]+$/.test(v))
    ? null
    : 'a file handle or an http(s) URL';
