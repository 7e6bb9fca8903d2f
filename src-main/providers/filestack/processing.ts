/**
 * Filestack processing client (spec §7): builds transformation URLs on Ferry's configured CDN
 * base with per-call security, downloads rendered bytes, and stores a rendered chain as a new
 * file (`store` task, §7.6). Works the same against real Filestack and the local cloud.
 * Like the JS SDK, transform and store requests are not retried (spec §10.2): a 4xx is final and
 * the caller decides whether to try again.
 */
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { CallName } from '../../../src-shared/filestack/policy.js';
import type { SecurityPair, Source, TaskStep, TaskValue } from '../../../src-shared/filestack/types.js';
import { buildProcessingUrl, type UrlStyle } from '../../../src-shared/filestack/url-builder.js';
import type { UploadResult } from '../../../src-shared/model/job.js';
import { errorFromResponse, httpRequest, jsonRequest } from '../../net/http.js';
import { createSecurity, type Security } from '../../protocol/filestack/signing.js';

/** Where processing lives and how its calls are authorised. */
export type ProcessingConfig = {
  readonly apikey: string;
  /** CDN origin, e.g. https://cdn.filestackcontent.com or the local cloud's baseUrl. */
  readonly cdnBase: string;
  /** Origin of `POST /process` (store from URL); default https://process.filestackapi.com semantics = cdnBase. */
  readonly processBase?: string;
  /** App secret: each URL then carries its own short policy for exactly that call (and handle). */
  readonly secret?: string;
  /** A ready-made policy used when no secret is configured. */
  readonly security?: Security;
  /** URL serialisation; default `js`. */
  readonly style?: UrlStyle;
  readonly timeoutMs?: number;
};

/** A transformation request: tasks in order, applied to one source. */
export type TransformRequest = {
  readonly steps: readonly TaskStep[];
  /** A handle, an http(s) URL (string forms) or a parsed Source. */
  readonly source: string | Source;
  /** Lifetime of a policy made from the secret, seconds; default 3600. */
  readonly expiresInSeconds?: number;
};

/** Store options of the `store` task (spec §7.4). */
export type StoreTaskParams = {
  readonly filename?: string;
  readonly location?: string;
  readonly path?: string;
  readonly container?: string;
  readonly region?: string;
  readonly access?: 'public' | 'private';
};

export type CallOptions = { readonly signal?: AbortSignal };

/** A stored result: the usual UploadResult plus where it landed. */
export type StoredTransform = UploadResult & { readonly key?: string; readonly container?: string };

const DEFAULT_POLICY_SECONDS = 3600;

/** `"abc..."` → handle source, `https://...` → URL source. */
export function toSource(source: string | Source): Source {
  if (typeof source !== 'string') return source;
  return /^https?:\/\//i.test(source) ? { kind: 'url', url: source } : { kind: 'handle', handle: source };
}

/** The security for one call: a fresh policy from the secret, else the configured one. */
export function securityFor(cfg: ProcessingConfig, calls: readonly CallName[], source: Source, expiresInSeconds = DEFAULT_POLICY_SECONDS): SecurityPair | undefined {
  if (cfg.secret !== undefined) {
    const expiry = Math.floor(Date.now() / 1000) + expiresInSeconds;
    return createSecurity({ expiry, call: [...calls], ...(source.kind === 'handle' ? { handle: source.handle } : {}) }, cfg.secret);
  }
  return cfg.security;
}

function build(cfg: ProcessingConfig, req: TransformRequest, steps: readonly TaskStep[], calls: readonly CallName[]): string {
  const source = toSource(req.source);
  const security = securityFor(cfg, calls, source, req.expiresInSeconds);
  return buildProcessingUrl({
    base: cfg.cdnBase,
    apikey: cfg.apikey,
    steps,
    source,
    style: cfg.style ?? 'js',
    ...(security ? { security } : {}),
  });
}

/** The CDN URL of a transformation (throws FerryError bad_request for invalid steps). */
export function transformUrl(cfg: ProcessingConfig, req: TransformRequest): string {
  return build(cfg, req, req.steps, ['convert']);
}

/** Downloads the rendered bytes of a transformation. */
export async function fetchTransformed(cfg: ProcessingConfig, req: TransformRequest, opts: CallOptions = {}): Promise<{ data: Buffer; mimetype: string }> {
  const url = transformUrl(cfg, req);
  const res = await httpRequest({ method: 'GET', url, ...(opts.signal ? { signal: opts.signal } : {}), ...(cfg.timeoutMs ? { timeoutMs: cfg.timeoutMs } : {}) });
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, 'Transformation');
  const type = res.headers['content-type'];
  return { data: res.body, mimetype: (typeof type === 'string' ? type.split(';', 1)[0]?.trim() : undefined) || 'application/octet-stream' };
}

/** Reads a store answer (spec §7.6 / §5.2) into a StoredTransform; the handle may only be in `url`. */
export function storedFromAnswer(cfg: ProcessingConfig, data: unknown): StoredTransform {
  const o = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const url = typeof o.url === 'string' ? o.url : undefined;
  const handle = typeof o.handle === 'string' ? o.handle : url?.split('/').pop();
  if (!handle || !/^[\w-]+$/.test(handle)) throw new FerryError(appError('protocol', 'The store answer carries no handle.'));
  const mimetype = typeof o.type === 'string' ? o.type : typeof o.mimetype === 'string' ? o.mimetype : 'application/octet-stream';
  return {
    url: `${cfg.cdnBase.replace(/\/+$/, '')}/${handle}`,
    remoteId: handle,
    size: typeof o.size === 'number' ? o.size : 0,
    mimetype,
    filename: typeof o.filename === 'string' ? o.filename : handle,
    ...(typeof o.key === 'string' ? { key: o.key } : {}),
    ...(typeof o.container === 'string' ? { container: o.container } : {}),
  };
}

/** Renders a chain and stores the result as a new file (POST with a final `store` task). */
export async function storeTransformed(cfg: ProcessingConfig, req: TransformRequest & { readonly store?: StoreTaskParams }, opts: CallOptions = {}): Promise<StoredTransform> {
  const params: Record<string, TaskValue> = {};
  for (const [k, v] of Object.entries(req.store ?? {})) if (v !== undefined) params[k] = v;
  const storeStep: TaskStep = Object.keys(params).length > 0 ? { name: 'store', params } : { name: 'store' };
  const calls: CallName[] = req.steps.length > 0 ? ['convert', 'store'] : ['store'];
  const url = build(cfg, req, [...req.steps, storeStep], calls);
  const res = await jsonRequest({ method: 'POST', url, ...(opts.signal ? { signal: opts.signal } : {}), ...(cfg.timeoutMs ? { timeoutMs: cfg.timeoutMs } : {}) });
  return storedFromAnswer(cfg, res.data);
}
