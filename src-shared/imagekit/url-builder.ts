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
import { appError, FerryError } from '../errors.js';
import { buildTransformationString, type TransformStep } from './transform-string.js';
import { encodeTrValue, encodeUrlPath, encodeUrlQuery, formEncode } from './url-encode.js';

export { buildTransformationString } from './transform-string.js';
export type { TransformStep, TransformValue } from './transform-string.js';
export type { Overlay, OverlayPosition, OverlayTiming } from './overlay.js';

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

/** A query parameter value as text; anything without a URL form is a typed error. */
function queryValue(key: string, v: unknown): string {
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw new FerryError(appError('bad_request', `The query parameter "${key}" cannot be written into a URL.`, { details: { key } }));
}

type ParsedUrl = { origin: string; path: string; query: string };

/** `user:pass@` as WHATWG writes it: an empty password loses its `:`, empty credentials vanish. */
function serialiseUserinfo(raw: string): string {
  const colon = raw.indexOf(':');
  const user = colon >= 0 ? raw.slice(0, colon) : raw;
  const pass = colon >= 0 ? raw.slice(colon + 1) : '';
  if (user === '' && pass === '') return '';
  return `${user}${pass === '' ? '' : `:${pass}`}@`;
}

/** Splits an absolute http(s) URL; lower-cases scheme and host and drops a default port like WHATWG. */
function parseAbsolute(url: string): ParsedUrl | null {
  const m = /^(https?):\/\/([^/?#\\]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(url.trim());
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  const authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? serialiseUserinfo(authority.slice(0, at)) : '';
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
  let pathname: string;
  let existingQuery: string;
  if (absolute) {
    origin = absolute.origin;
    pathname = encodeUrlPath(normalisePath(absolute.path));
    existingQuery = absolute.query;
  } else {
    origin = endpoint.origin;
    existingQuery = endpoint.query;
    // Like v7, the `tr:` segment is not normalised with the path: a `/` or `..` inside a value
    // (a raw layer, a text) belongs to the transformation. The file path is normalised on its
    // own, so its `..` cannot climb out of the endpoint either.
    const base = encodeUrlPath(normalisePath(endpoint.path)).replace(/\/$/, '');
    const tr = txInPath ? `/tr:${encodeUrlPath(tx)}` : '';
    pathname = base + tr + encodeUrlPath(normalisePath(`/${target}`));
  }

  const query: string[] = [];
  if (existingQuery !== '') query.push(encodeUrlQuery(existingQuery));
  for (const [k, v] of Object.entries(opts.queryParameters ?? {})) query.push(`${formEncode(k)}=${formEncode(queryValue(k, v))}`);
  if (tx !== '' && !txInPath) query.push(`tr=${encodeTrValue(tx)}`);
  return `${origin}${pathname}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}
