/**
 * Cache purge (spec §5): the emulator's only cache is the render cache, so a purge drops the
 * renders of the file the URL points at and is complete at once. Requests are remembered so
 * their status can be asked for.
 */
import { sendJson } from '../router.js';
import { IkError, readJsonObject } from './http.js';
import type { ApiHandler, ImageKitRuntime } from './routes-types.js';
import { newId, type ImageKitStore } from './store.js';

/** Records a purge of `url` (call inside `mutate`) and forgets matching renders. */
export function recordPurge(store: ImageKitStore, runtime: ImageKitRuntime, url: string, endpoint: string): string {
  const requestId = newId();
  store.purges.set(requestId, { requestId, url, createdAt: Date.now() });
  // Any file whose path the URL covers (a `*` suffix purges a prefix, as ImageKit allows).
  const rest = url.startsWith(endpoint) ? decodeURIComponent(url.slice(endpoint.length).replace(/[?#].*$/, '').replace(/^\/tr:[^/]*/, '')) : '';
  const prefix = rest.endsWith('*') ? rest.slice(0, -1) : null;
  for (const f of store.files.values()) {
    const p = f.folder + f.name;
    if (p === rest || (prefix !== null && p.startsWith(prefix))) for (const v of f.versions) runtime.cache.forget(v.handle);
  }
  return requestId;
}

/** POST /v1/files/purge {url} → 201 {requestId}. */
export const purgeCache: ApiHandler = async ({ req, res, store, runtime, endpoint }) => {
  const body = await readJsonObject(req);
  const url = body.url;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !url.startsWith(`${endpoint}/`)) throw new IkError(400, 'Invalid url');
  const requestId = await store.mutate(() => recordPurge(store, runtime, url, endpoint));
  sendJson(res, 201, { requestId });
};

/** GET /v1/files/purge/{requestId} → {status}. */
export const purgeStatus: ApiHandler = ({ res, store, match }) => {
  if (!store.purges.has(match[1] ?? '')) throw new IkError(400, 'No request found for this requestId.');
  sendJson(res, 200, { status: 'Completed' });
};
