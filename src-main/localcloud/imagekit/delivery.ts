/**
 * Delivery (spec §4): `GET <urlEndpointPath>[/tr:<TX>]/<filePath>[?tr=<TX>]`. No transformation
 * serves the stored bytes; otherwise the chain (path part first, then the query's) is rendered
 * by the processing core. Signed URLs (`ik-s`, `ik-t`) are verified against the raw request
 * target (§4.7); private files need one, except for a bare named transformation (thumbnails).
 * A missing file with `di-<path>` in the chain serves that default image instead.
 */
import type { ServerResponse } from 'node:http';
import { defaultImageOf, parseTransformation } from '../../../src-shared/imagekit/transform-parser.js';
import { verifySignedUrl } from '../../protocol/imagekit/signing.js';
import { sendFileRange } from '../http-range.js';
import type { Route } from '../router.js';
import type { ResolvedAccount } from './account.js';
import { resolveTarget } from './delivery-target.js';
import { IkError, ikHandler } from './http.js';
import { hasLayers, renderLayered } from './layered-render.js';
import { isVideo } from './metadata.js';
import { planTransformation } from './render-adapter.js';
import type { ImageKitRuntime } from './routes-types.js';
import { currentVersion, type FileRecord, type ImageKitStore, type VersionRecord } from './store.js';
import { deliverVideo } from './video-delivery.js';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The route pattern of an account's endpoint (`/ik/demo/...`). */
export const deliveryPattern = (account: ResolvedAccount): RegExp => new RegExp(`^${escapeRe(account.urlEndpointPath)}(/.*)$`);

/** Serves a file's bytes as stored (one `Range` honoured: players seek in videos). */
const sendFile = (res: ServerResponse, file: string, v: VersionRecord, cacheControl: string): Promise<void> =>
  sendFileRange(res.req, res, file, v.size, { 'Content-Type': v.mime, 'Cache-Control': cacheControl, ETag: `"${v.versionId}"` });

/** The stored file the request is for, or the chain's default image when it is missing. */
function fileFor(store: ImageKitStore, filePath: string, tx: string): FileRecord {
  const deliverable = (f: FileRecord | undefined): f is FileRecord => f !== undefined && f.isPublished;
  const file = store.byPath(filePath);
  if (deliverable(file)) return file;
  const parsed = tx === '' ? null : parseTransformation(tx);
  const fallback = parsed?.ok ? defaultImageOf(parsed.steps) : null;
  const alt = fallback !== null ? store.byPath(fallback) : undefined;
  // The default image stands in only for a missing file, and is delivered like any public image.
  if (deliverable(alt) && !alt.isPrivateFile) return alt;
  throw new IkError(404, `No file found with filePath ${filePath}`);
}

/** The delivery handler of one account. */
export function deliveryHandler(runtime: ImageKitRuntime, account: ResolvedAccount): Route['handler'] {
  return ikHandler(async (req, res, _match, ctx) => {
    const raw = req.url ?? '/';
    const qIdx = raw.indexOf('?');
    const rawPath = qIdx >= 0 ? raw.slice(0, qIdx) : raw;
    const query = new URLSearchParams(qIdx >= 0 ? raw.slice(qIdx + 1) : '');

    const signed = query.has('ik-s');
    if (signed) {
      const check = verifySignedUrl({ rawRequestTarget: raw, endpointPath: account.urlEndpointPath, privateKey: account.privateKey, now: Date.now() / 1000 });
      if (!check.ok) throw new IkError(401, check.message, { reason: check.reason === 'expired' ? 'SIGNED_URL_EXPIRED' : 'INVALID_SIGNATURE' });
    }
    const store = await runtime.storeFor(ctx, account);
    const target = resolveTarget(rawPath.slice(account.urlEndpointPath.length), (p) => store.byPath(p)?.isPublished === true);
    const tx = [target.pathTx, query.get('tr')].filter((t): t is string => t !== null && t !== '').join(':');
    const file = fileFor(store, target.filePath, tx);
    if (file.isPrivateFile && !signed && !/^n-[A-Za-z0-9_-]+$/.test(tx)) {
      throw new IkError(401, 'This file is private. Request it with a signed URL (ik-s).', { reason: 'PRIVATE_FILE' });
    }
    const versionId = query.get('ik-obj-version');
    const version = versionId ? file.versions.find((v) => v.versionId === versionId) : currentVersion(file);
    if (!version) throw new IkError(404, 'The requested file version does not exist.');
    const cacheControl = file.isPrivateFile ? 'private, max-age=0' : 'public, max-age=31536000';
    const blob = store.blobPath(version);
    if (isVideo(version) && (tx !== '' || target.suffix.kind !== 'none')) {
      const ikt = query.get('ik-t');
      const signedUntil = !signed ? null : ikt !== null ? Number(ikt) : Number.POSITIVE_INFINITY;
      await deliverVideo({ req, res, ctx, runtime, account, filePath: target.filePath, version, blob, tx, suffix: target.suffix, signedUntil, cacheControl });
      return;
    }
    if (target.suffix.kind !== 'none') throw new IkError(404, `No file found with filePath ${target.filePath}`);
    if (tx === '') {
      await sendFile(res, blob, version, cacheControl);
      return;
    }
    const parsed = parseTransformation(tx);
    const layered = parsed.ok && hasLayers(parsed.steps) && version.fileType === 'image';
    const plan = layered ? null : planTransformation(tx);
    if (plan?.original) {
      await sendFile(res, blob, version, cacheControl);
      return;
    }
    if (version.fileType !== 'image') throw new IkError(400, `Transformations are not supported for ${version.mime} files on the local cloud.`);
    const scratchDir = ctx.storage.tmpDir;
    const out = plan ? await runtime.cache.render(version.handle, blob, plan.ops, { scratchDir }) : await renderLayered(blob, parsed.ok ? parsed.steps : [], version.format, { store, signed, scratchDir });
    res.writeHead(200, { 'Content-Type': out.mimetype, 'Content-Length': out.data.length, 'Cache-Control': cacheControl, 'X-Image-Size': `${out.width}x${out.height}` });
    res.end(req.method === 'HEAD' ? undefined : out.data);
  });
}
