/**
 * ImageKit delivery URL builder (spec §4). Canonical behaviour follows v7 / js5 `buildSrc`:
 * - transformations default to the **query** position (`?tr=<TX>`), appended last, with `,` and
 *   `:` left literal; `src` (an absolute URL) always puts them in the query;
 * - the path form joins endpoint path, `tr:<TX>` and the path, collapsing runs of `/`;
 * - `queryParameters` are appended after any query already present (not replaced, as v6 does);
 * - option keys use v7 names, with the v6 aliases accepted (see transform-keys.ts).
 * Percent-encoding matches what a WHATWG URL object produces, so signing (which covers the literal
 * bytes) agrees with what an HTTP client will actually send.
 */
import { FLAG_EFFECTS, OPTIONAL_VALUE_EFFECTS, PATH_VALUE_PARAMS, urlParamFor } from './transform-keys.js';
import { encodeTrValue, encodeUrlPath, encodeUrlQuery, formEncode } from './url-encode.js';

/** One option value; arrays are joined with `_` (ImageKit's list separator, e.g. `sr-240_360`). */
export type TransformValue = string | number | boolean | readonly (string | number)[] | null | undefined;

/** One step of a chain: option keys (v7 names, v6 aliases, or raw URL params) → values. */
export type TransformStep = Readonly<Record<string, TransformValue>>;

/** Where the transformation string goes in a path-form URL. */
export type TransformationPosition = 'path' | 'query';

/** Inputs of {@link buildUrl}. */
export type BuildUrlOptions = {
  /** Delivery prefix, e.g. `https://ik.imagekit.io/demo` (a trailing `/` is fine). */
  readonly urlEndpoint: string;
  /** File path relative to the endpoint; wins over `src` when both are given (v6 rule). */
  readonly path?: string;
  /** Absolute URL (or a relative path, treated like `path`). */
  readonly src?: string;
  readonly transformation?: readonly TransformStep[];
  /** Default `query` (v7/js5). Ignored for absolute `src`, which always uses the query. */
  readonly transformationPosition?: TransformationPosition;
  readonly queryParameters?: Readonly<Record<string, string | number | boolean>>;
};

const isOn = (v: TransformValue): boolean => v === true || v === 'true';

/** Renders one option as a URL parameter, or null when the option emits nothing. */
function renderParam(key: string, value: TransformValue): string | null {
  if (value === undefined || value === null) return null;
  if (key === 'raw') {
    const raw = String(value);
    return raw === '' ? null : raw;
  }
  const param = urlParamFor(key);
  if (FLAG_EFFECTS.has(param)) return isOn(value) || value === '-' ? param : null;
  if (OPTIONAL_VALUE_EFFECTS.has(param) && (isOn(value) || value === '')) return param;
  if (value === '-') return param;
  if (param === 't' && (value === true || value === '')) return 't-true';
  let text = Array.isArray(value) ? value.map(String).join('_') : String(value);
  if (text === '') return param;
  if (PATH_VALUE_PARAMS.has(param)) text = text.replace(/^\//, '').replace(/\/$/, '').replace(/\//g, '@@');
  return `${param}-${text}`;
}

/**
 * Builds `<TX>`: parameters of a step joined with `,`, steps joined with `:`. Empty steps are
 * dropped so an all-undefined step does not produce a stray `:`.
 */
export function buildTransformationString(steps: readonly TransformStep[] | undefined): string {
  if (!steps) return '';
  const rendered: string[] = [];
  for (const step of steps) {
    const params: string[] = [];
    for (const [key, value] of Object.entries(step)) {
      const p = renderParam(key, value);
      if (p !== null) params.push(p);
    }
    if (params.length > 0) rendered.push(params.join(','));
  }
  return rendered.join(':');
}

type ParsedUrl = { origin: string; path: string; query: string };

/** Splits an absolute http(s) URL; lower-cases scheme and host and drops a default port like WHATWG. */
function parseAbsolute(url: string): ParsedUrl | null {
  const m = /^(https?):\/\/([^/?#\\]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(url.trim());
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  const authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  let hostPort = (at >= 0 ? authority.slice(at + 1) : authority).toLowerCase();
  if ((scheme === 'https' && hostPort.endsWith(':443')) || (scheme === 'http' && hostPort.endsWith(':80'))) {
    hostPort = hostPort.slice(0, hostPort.lastIndexOf(':'));
  }
  if (hostPort === '' || hostPort.startsWith(':')) return null;
  return { origin: `${scheme}://${userinfo}${hostPort}`, path: m[3] ?? '', query: m[4] ?? '' };
}

/** Collapses `/` runs and resolves `.` / `..` segments, keeping a trailing slash. */
function normalisePath(path: string): string {
  const segments = path.replace(/\\/g, '/').split('/');
  const out: string[] = [];
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else if (seg !== '' || last) out.push(seg);
  });
  return '/' + out.join('/');
}

/**
 * The canonical form of an endpoint (`scheme://host/path`, no trailing slash), as it appears at
 * the start of every URL {@link buildUrl} produces. Null when it is not an http(s) URL.
 */
export function normaliseEndpoint(urlEndpoint: string): string | null {
  const parsed = parseAbsolute(urlEndpoint);
  if (!parsed) return null;
  return parsed.origin + encodeUrlPath(normalisePath(parsed.path)).replace(/\/$/, '');
}

/**
 * Builds a delivery URL. Returns `''` when there is neither `path` nor `src`, or when the endpoint
 * (or an absolute `src`) is not an http(s) URL — the v7 convention, so a template can render an
 * empty `src` rather than crash. Fragments are dropped (they never reach the CDN). A `?` inside
 * `path` is encoded as `%3F` (v6/v7 both do this); pass query data via `queryParameters`.
 */
export function buildUrl(opts: BuildUrlOptions): string {
  const endpoint = parseAbsolute(opts.urlEndpoint);
  if (!endpoint) return '';
  const target = opts.path !== undefined && opts.path !== '' ? opts.path : opts.src;
  if (target === undefined || target === '') return '';
  const tx = buildTransformationString(opts.transformation);

  const absolute = /^https?:\/\//i.test(target) ? parseAbsolute(target) : null;
  if (/^https?:\/\//i.test(target) && !absolute) return '';
  const txInPath = !absolute && tx !== '' && opts.transformationPosition === 'path';

  let origin: string;
  let rawPath: string;
  let existingQuery: string;
  if (absolute) {
    ({ origin, path: rawPath, query: existingQuery } = absolute);
  } else {
    origin = endpoint.origin;
    rawPath = [endpoint.path, txInPath ? `tr:${tx}` : '', target].join('/');
    existingQuery = endpoint.query;
  }
  const pathname = encodeUrlPath(normalisePath(rawPath));

  const query: string[] = [];
  if (existingQuery !== '') query.push(encodeUrlQuery(existingQuery));
  for (const [k, v] of Object.entries(opts.queryParameters ?? {})) query.push(`${formEncode(k)}=${formEncode(String(v))}`);
  if (tx !== '' && !txInPath) query.push(`tr=${encodeTrValue(tx)}`);
  return `${origin}${pathname}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}
