/**
 * The one way the ImageKit client talks HTTP: configuration, Basic auth, query encoding, JSON
 * calls and the error mapping (spec §1, §7). Every request goes through net/http.ts and every
 * non-2xx answer becomes a FerryError built by {@link toImageKitError}.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { appError, FerryError, type AppError } from '../../../src-shared/errors.js';
import { httpRequest, type HttpResponse, type StreamBody } from '../../net/http.js';
import { toImageKitError } from '../../protocol/imagekit/errors.js';

/** Public upload host (the upload path carries an `/api` prefix, §1.1). */
export const DEFAULT_UPLOAD_BASE = 'https://upload.imagekit.io';
/** Public media API host. */
export const DEFAULT_API_BASE = 'https://api.imagekit.io';

/** What {@link createImageKitClient} takes. Bases are origins (optionally with a path prefix). */
export type ImageKitConfig = {
  readonly privateKey: string;
  readonly publicKey?: string;
  /** Delivery prefix, e.g. `https://ik.imagekit.io/demo` or `http://127.0.0.1:PORT/ik/demo`. */
  readonly urlEndpoint: string;
  readonly uploadBase?: string;
  readonly apiBase?: string;
  /** Per-request time budget in ms (default: net/http's). */
  readonly timeoutMs?: number;
};

/** {@link ImageKitConfig} with defaults applied and trailing slashes removed. */
export type ResolvedConfig = {
  readonly privateKey: string;
  readonly publicKey: string | undefined;
  readonly urlEndpoint: string;
  readonly uploadBase: string;
  readonly apiBase: string;
  readonly timeoutMs: number | undefined;
};

/** Per-call options every operation accepts. */
export type CallOptions = { readonly signal?: AbortSignal; readonly timeoutMs?: number };

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

/** Validates and normalises a client configuration; a missing key is a typed bad_request. */
export function resolveConfig(cfg: ImageKitConfig): ResolvedConfig {
  if (typeof cfg.privateKey !== 'string' || cfg.privateKey === '') throw badRequest('Missing privateKey during ImageKit initialization');
  if (typeof cfg.urlEndpoint !== 'string' || !/^https?:\/\//i.test(cfg.urlEndpoint)) {
    throw badRequest('Missing or invalid urlEndpoint during ImageKit initialization');
  }
  return {
    privateKey: cfg.privateKey,
    publicKey: cfg.publicKey,
    urlEndpoint: trimSlash(cfg.urlEndpoint),
    uploadBase: trimSlash(cfg.uploadBase ?? DEFAULT_UPLOAD_BASE),
    apiBase: trimSlash(cfg.apiBase ?? DEFAULT_API_BASE),
    timeoutMs: cfg.timeoutMs,
  };
}

/** `Authorization` value for server-side calls: Basic base64(privateKey + ':') (§1.2). */
export function basicAuthHeader(privateKey: string): string {
  return `Basic ${Buffer.from(`${privateKey}:`, 'utf8').toString('base64')}`;
}

/** A typed client-side validation failure; never reaches the wire. */
export function badRequest(message: string, help?: string): FerryError {
  return new FerryError(appError('bad_request', message, { retryable: false, ...(help !== undefined ? { details: { help } } : {}) }));
}

/** Query value types; arrays are joined with `,` (the legacy `tags` form, §5.1). */
export type QueryValue = string | number | boolean | readonly string[] | undefined | null;

/**
 * Encodes a query with encodeURIComponent (space → `%20`, like v7): unambiguous for servers that
 * decode either `+` or `%20`. Undefined/null values are skipped, never sent as `undefined` (v6 bug).
 */
export function toQuery(params: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    const text = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(text)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Encodes one path segment (file ids, version ids, job ids). */
export const seg = (s: string): string => encodeURIComponent(s);

/** One API request. `base` picks the host; `expect` lists extra statuses that count as success. */
export type ApiRequest = CallOptions & {
  readonly method: string;
  readonly path: string;
  readonly base?: 'api' | 'upload';
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly json?: unknown;
  readonly stream?: StreamBody;
  readonly headers?: OutgoingHttpHeaders;
  /** Skip the Basic header (client-side upload auth, §3). */
  readonly noAuth?: boolean;
  readonly onUploadProgress?: (sentBytes: number) => void;
};

/** A successful answer: status, headers and the parsed JSON (`null` for an empty body). */
export type ApiResponse = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly data: unknown };

function parseBody(res: HttpResponse): { ok: true; data: unknown } | { ok: false; text: string } {
  const text = res.body.toString('utf8').trim();
  if (text === '') return { ok: true, data: null };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, text };
  }
}

/** Adds the success lists of a 207 body to the error details (flat, comma-joined). */
function partialDetails(err: AppError, data: unknown): AppError {
  if (typeof data !== 'object' || data === null) return err;
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (/^successfully\w+Ids$/.test(k) && Array.isArray(v)) extra[k] = v.map(String).join(',');
  return { ...err, details: { ...err.details, ...extra } };
}

/**
 * Sends one request and returns the parsed JSON. Non-2xx → FerryError(toImageKitError). A 207
 * (bulk partial success, §5.5) is also thrown, as `partial_success` with `missingFileIds` and the
 * successful ids in details, so callers cannot mistake it for a full success.
 */
export async function apiCall(cfg: ResolvedConfig, req: ApiRequest): Promise<ApiResponse> {
  const headers: OutgoingHttpHeaders = { Accept: 'application/json', ...req.headers };
  if (!req.noAuth) headers.Authorization = basicAuthHeader(cfg.privateKey);
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['Content-Type'] = 'application/json';
  }
  const base = req.base === 'upload' ? cfg.uploadBase : cfg.apiBase;
  const timeoutMs = req.timeoutMs ?? cfg.timeoutMs;
  const res = await httpRequest({
    method: req.method,
    url: `${base}${req.path}${toQuery(req.query ?? {})}`,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(req.stream !== undefined ? { stream: req.stream } : {}),
    ...(req.signal !== undefined ? { signal: req.signal } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(req.onUploadProgress !== undefined ? { onUploadProgress: req.onUploadProgress } : {}),
  });
  const parsed = parseBody(res);
  const ok2xx = res.status >= 200 && res.status <= 299 && res.status !== 207;
  if (!ok2xx) {
    const err = toImageKitError(res.status, parsed.ok ? parsed.data : parsed.text, res.headers);
    throw new FerryError(res.status === 207 ? partialDetails(err, parsed.ok ? parsed.data : null) : err);
  }
  if (!parsed.ok) {
    throw new FerryError(appError('protocol', `ImageKit answered ${res.status} with a body that is not JSON.`, { details: { status: res.status } }));
  }
  return { status: res.status, headers: res.headers, data: parsed.data };
}

/** Parses `data` with a zod-like schema; a mismatch is a `protocol` error naming the operation. */
export function expectShape<T>(what: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    throw new FerryError(appError('protocol', `ImageKit's answer to ${what} has an unexpected shape.`, { details: { issue: r.error.message.slice(0, 300) } }));
  }
  return r.data;
}
