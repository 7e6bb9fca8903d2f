/**
 * Media API — CDN cache purge (spec §5): `POST /v1/files/purge` (201) and its status.
 */
import { purgeResponseSchema, purgeStatusSchema } from './schemas.js';
import { apiCall, badRequest, expectShape, seg, type CallOptions, type ResolvedConfig } from './transport.js';
import { requireId } from './validate.js';

/** Purges the exact URL (a trailing `*` purges a prefix on ImageKit); returns the request id. */
export async function purgeCache(cfg: ResolvedConfig, url: string, call: CallOptions = {}): Promise<{ requestId: string }> {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw badRequest('Invalid url', 'Pass the full http(s) URL to purge.');
  const res = await apiCall(cfg, { ...call, method: 'POST', path: '/v1/files/purge', json: { url } });
  return { requestId: expectShape('purge cache', purgeResponseSchema, res.data).requestId };
}

/** `GET /v1/files/purge/{requestId}`: `status` is `Pending` or `Completed`. */
export async function getPurgeCacheStatus(cfg: ResolvedConfig, requestId: string, call: CallOptions = {}): Promise<{ status: string }> {
  const res = await apiCall(cfg, { ...call, method: 'GET', path: `/v1/files/purge/${seg(requireId(requestId, 'requestId'))}` });
  return { status: expectShape('purge status', purgeStatusSchema, res.data).status };
}
