/**
 * Store a file from a URL (spec §5.2): `POST <processBase>/process` with the store task and,
 * when the app needs it, a security task. Mirrors filestack-python's upload_url: `location`
 * defaults to S3, and `mimetype`/`upload_tags` never travel inside the store params.
 */
import type { CallName } from '../../../src-shared/filestack/policy.js';
import type { SecurityPair } from '../../../src-shared/filestack/types.js';
import { jsonRequest } from '../../net/http.js';
import { securityFor, storedFromAnswer, type CallOptions, type ProcessingConfig, type StoreTaskParams, type StoredTransform } from './processing.js';

/** Extra options of {@link storeUrl}. */
export type StoreUrlOptions = CallOptions & {
  /** Key/value tags answered back as `upload_tags`. */
  readonly uploadTags?: Readonly<Record<string, string>>;
  /** Headers the server sends when it fetches the URL (JS source-object form). */
  readonly sourceHeaders?: Readonly<Record<string, string>>;
};

const STORE_CALLS: readonly CallName[] = ['store'];

/** Asks Filestack (or the local cloud) to download `url` and store it; returns the new file. */
export async function storeUrl(
  cfg: ProcessingConfig,
  url: string,
  storeParams: StoreTaskParams = {},
  security?: SecurityPair,
  opts: StoreUrlOptions = {},
): Promise<StoredTransform & { readonly uploadTags: Readonly<Record<string, string>> }> {
  const params: Record<string, string> = { location: 's3' };
  for (const [k, v] of Object.entries(storeParams)) if (typeof v === 'string' && k !== 'mimetype' && k !== 'upload_tags') params[k] = v;
  const sec = security ?? securityFor(cfg, STORE_CALLS, { kind: 'url', url });
  const body = {
    apikey: cfg.apikey,
    sources: [opts.sourceHeaders ? { source: url, headers: opts.sourceHeaders } : url],
    tasks: [{ name: 'store', params }, ...(sec ? [{ name: 'security', params: { policy: sec.policy, signature: sec.signature } }] : [])],
    ...(opts.uploadTags ? { upload_tags: opts.uploadTags } : {}),
  };
  const base = (cfg.processBase ?? cfg.cdnBase).replace(/\/+$/, '');
  const res = await jsonRequest({ method: 'POST', url: `${base}/process`, json: body, ...(opts.signal ? { signal: opts.signal } : {}), ...(cfg.timeoutMs ? { timeoutMs: cfg.timeoutMs } : {}) });
  const tags = (res.data as { upload_tags?: unknown } | null)?.upload_tags;
  const uploadTags = typeof tags === 'object' && tags !== null ? (tags as Record<string, string>) : {};
  return { ...storedFromAnswer(cfg, res.data), uploadTags };
}
