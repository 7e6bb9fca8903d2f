/**
 * Metadata routes (spec §5, §5.7): by file id (the stored current version) and by delivery URL
 * (which must belong to the account; a transformed URL describes the rendered image).
 */
import { sendJson } from '../router.js';
import { requireFile } from './files-api.js';
import { IkError, queryParams } from './http.js';
import { metadataOf, probe } from './metadata.js';
import { planTransformation } from './render-adapter.js';
import type { ApiHandler } from './routes-types.js';
import { currentVersion } from './store.js';

/** GET /v1/files/{id}/metadata */
export const fileMetadata: ApiHandler = async ({ res, store, match }) => {
  const v = currentVersion(requireFile(store, match[1] ?? ''));
  sendJson(res, 200, await metadataOf(store.blobPath(v), v.size, v));
};

/** GET /v1/metadata?url=<delivery URL> */
export const urlMetadata: ApiHandler = async ({ req, res, store, account, runtime }) => {
  const url = queryParams(req).get('url') ?? '';
  const notOurs = new IkError(400, `${url} should be accessible using your ImageKit.io account.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw notOurs;
  }
  const prefix = `${account.urlEndpointPath}/`;
  if (!/^https?:$/.test(parsed.protocol) || !parsed.pathname.startsWith(prefix)) throw notOurs;
  let rest = parsed.pathname.slice(account.urlEndpointPath.length);
  let tx = parsed.searchParams.get('tr') ?? '';
  const m = /^\/tr:([^/]*)(\/.*)$/.exec(rest);
  if (m) {
    tx = [decodeURIComponent(m[1] ?? ''), tx].filter(Boolean).join(':');
    rest = m[2] ?? '/';
  }
  const filePath = decodeURIComponent(rest);
  const file = store.byPath(filePath);
  if (!file) throw new IkError(404, `No file found with filePath ${filePath}`);
  const v = currentVersion(file);
  const plan = tx !== '' ? planTransformation(tx) : { original: true, ops: [] };
  if (plan.original || v.fileType !== 'image') {
    sendJson(res, 200, await metadataOf(store.blobPath(v), v.size, v));
    return;
  }
  const out = await runtime.cache.render(v.handle, store.blobPath(v), plan.ops, { scratchDir: store.storage.tmpDir });
  const p = await probe(out.data, filePath);
  sendJson(res, 200, await metadataOf(out.data, out.data.length, p));
};
