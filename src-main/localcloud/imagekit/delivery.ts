/**
 * Delivery (spec §4): `GET <urlEndpointPath>[/tr:<TX>]/<filePath>[?tr=<TX>]`. No transformation
 * serves the stored bytes; otherwise the chain (path part first, then the query's) is rendered
 * by the processing core. Signed URLs (`ik-s`, `ik-t`) are verified against the raw request
 * target (§4.7); private files need one, except for a bare named transformation (thumbnails).
 */
import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { verifySignedUrl } from '../../protocol/imagekit/signing.js';
import type { Route } from '../router.js';
import type { ResolvedAccount } from './account.js';
import { IkError, ikHandler } from './http.js';
import { planTransformation } from './render-adapter.js';
import type { ImageKitRuntime } from './routes-types.js';
import { currentVersion, type VersionRecord } from './store.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The route pattern of an account's endpoint (`/ik/demo/...`). */
export const deliveryPattern = (account: ResolvedAccount): RegExp => new RegExp(`^${escapeRe(account.urlEndpointPath)}(/.*)$`);

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new IkError(400, `The ${what} in this URL is not validly percent-encoded.`);
  }
}

/** Splits the raw target after the endpoint into transformation and file path (both decoded). */
function parseTarget(rest: string): { pathTx: string | null; filePath: string } {
  const m = /^\/tr:([^/]*)(\/.*)$/.exec(rest);
  const pathTx = m ? decode(m[1] ?? '', 'transformation') : null;
  const filePath = decode((m ? m[2] : rest) ?? '/', 'file path').replace(/\/{2,}/g, '/');
  return { pathTx, filePath };
}

function sendFile(res: ServerResponse, file: string, v: VersionRecord, cacheControl: string): void {
  res.writeHead(200, { 'Content-Type': v.mime, 'Content-Length': v.size, 'Cache-Control': cacheControl, ETag: `"${v.versionId}"` });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The delivery handler of one account. */
export function deliveryHandler(runtime: ImageKitRuntime, account: ResolvedAccount): Route['handler'] {
  return ikHandler(async (req, res, _match, ctx) => {
    const raw = req.url ?? '/';
    const qIdx = raw.indexOf('?');
    const rawPath = qIdx >= 0 ? raw.slice(0, qIdx) : raw;
    const query = new URLSearchParams(qIdx >= 0 ? raw.slice(qIdx + 1) : '');
    const { pathTx, filePath } = parseTarget(rawPath.slice(account.urlEndpointPath.length));

    const signed = query.has('ik-s');
    if (signed) {
      const check = verifySignedUrl({ rawRequestTarget: raw, endpointPath: account.urlEndpointPath, privateKey: account.privateKey, now: Date.now() / 1000 });
      if (!check.ok) throw new IkError(401, check.message, { reason: check.reason === 'expired' ? 'SIGNED_URL_EXPIRED' : 'INVALID_SIGNATURE' });
    }
    const store = await runtime.storeFor(ctx, account);
    const file = store.byPath(filePath);
    if (!file || !file.isPublished) throw new IkError(404, `No file found with filePath ${filePath}`);
    const tx = [pathTx, query.get('tr')].filter((t): t is string => t !== null && t !== '').join(':');
    if (file.isPrivateFile && !signed && !/^n-[A-Za-z0-9_-]+$/.test(tx)) {
      throw new IkError(401, 'This file is private. Request it with a signed URL (ik-s).', { reason: 'PRIVATE_FILE' });
    }
    const versionId = query.get('ik-obj-version');
    const version = versionId ? file.versions.find((v) => v.versionId === versionId) : currentVersion(file);
    if (!version) throw new IkError(404, 'The requested file version does not exist.');
    const cacheControl = file.isPrivateFile ? 'private, max-age=0' : 'public, max-age=31536000';
    const blob = store.blobPath(version);
    if (tx === '') {
      sendFile(res, blob, version, cacheControl);
      return;
    }
    const plan = planTransformation(tx);
    if (plan.original) {
      sendFile(res, blob, version, cacheControl);
      return;
    }
    if (version.fileType !== 'image') throw new IkError(400, `Transformations are not supported for ${version.mime} files on the local cloud.`);
    const out = await runtime.cache.render(version.handle, blob, plan.ops, { scratchDir: ctx.storage.tmpDir });
    res.writeHead(200, { 'Content-Type': out.mimetype, 'Content-Length': out.data.length, 'Cache-Control': cacheControl, 'X-Image-Size': `${out.width}x${out.height}` });
    res.end(req.method === 'HEAD' ? undefined : out.data);
  });
}
