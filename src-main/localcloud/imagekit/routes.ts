/**
 * The ImageKit front end of the local cloud: upload (§2), delivery (§4), media API (§5) and
 * custom metadata fields (§6). Mounted before the Filestack front end, whose CDN route is a
 * catch-all; unknown `/v1/…` and `/api/v1/…` paths answer an ImageKit 404 here so they never
 * reach it.
 */
import type { CloudContext } from '../context.js';
import path from 'node:path';
import { createRenderCache } from '../processing/cache.js';
import { createMediaCache, type MediaCache } from '../processing/media-cache.js';
import type { Route } from '../router.js';
import { resolveAccounts, type ImageKitFrontEndOptions, type ResolvedAccount } from './account.js';
import { authenticate } from './auth.js';
import { bulkJobStatus, copyFolder, moveFolder, renameFolder } from './bulk-jobs.js';
import { createField, deleteField, listFields, updateField } from './custom-fields.js';
import { deliveryHandler, deliveryPattern } from './delivery.js';
import { addTags, bulkDelete, copyFile, moveFile, removeAITags, removeTags, renameFile } from './file-ops.js';
import { deleteFile, fileDetails, listFiles, updateFile } from './files-api.js';
import { createFolder, deleteFolder } from './folders-api.js';
import { IkError, ikHandler } from './http.js';
import { fileMetadata, urlMetadata } from './metadata-api.js';
import { purgeCache, purgeStatus } from './purge.js';
import type { ApiHandler, ImageKitRuntime } from './routes-types.js';
import { ImageKitStore } from './store.js';
import { uploadHandler } from './upload.js';
import { deleteVersion, listVersions, restoreVersion, versionDetails } from './versions-api.js';
import { urlEndpointOf } from './views.js';

export type { ImageKitAccount, ImageKitFrontEndOptions, ResolvedAccount } from './account.js';
export { DEFAULT_IMAGEKIT_ID, DEFAULT_IMAGEKIT_PRIVATE_KEY, DEFAULT_IMAGEKIT_PUBLIC_KEY, resolveAccounts } from './account.js';

/** The account's URL endpoint on a running local cloud: `<baseUrl><urlEndpointPath>`. */
export const imagekitUrlEndpoint = (baseUrl: string, account: ResolvedAccount): string => urlEndpointOf(baseUrl, account);

function createRuntime(options: ImageKitFrontEndOptions): ImageKitRuntime {
  const stores = new Map<string, Promise<ImageKitStore>>();
  let media: Promise<MediaCache> | null = null;
  const video = options.video ?? {};
  return {
    accounts: resolveAccounts(options.accounts),
    options,
    cache: createRenderCache(),
    media(ctx: CloudContext) {
      media ??= createMediaCache({
        dir: path.join(ctx.storage.dataDir, 'cache', 'imagekit-media'),
        ...(video.cacheBytes !== undefined ? { maxBytes: video.cacheBytes } : {}),
        ...(video.maxConcurrent !== undefined ? { maxConcurrent: video.maxConcurrent } : {}),
        ...(video.maxQueued !== undefined ? { maxQueued: video.maxQueued } : {}),
      });
      // A failed open (a read-only disk) must not poison later requests.
      media.catch(() => {
        media = null;
      });
      return media;
    },
    storeFor(ctx: CloudContext, account: ResolvedAccount) {
      let s = stores.get(account.imagekitId);
      if (!s) {
        s = ImageKitStore.open(ctx.storage, account);
        stores.set(account.imagekitId, s);
        // A failed open must not poison later requests.
        s.catch(() => stores.delete(account.imagekitId));
      }
      return s;
    },
  };
}

/** Builds the front end's routes; each call has its own state (one per server). */
export function imagekitRoutes(options: ImageKitFrontEndOptions = {}): Route[] {
  const runtime = createRuntime(options);
  const api = (handler: ApiHandler): Route['handler'] =>
    ikHandler(async (req, res, match, ctx) => {
      const account = authenticate(req, runtime.accounts);
      const store = await runtime.storeFor(ctx, account);
      await handler({ req, res, match, ctx, account, store, endpoint: urlEndpointOf(ctx.baseUrl, account), runtime });
    });
  const r = (method: string, path: string, handler: ApiHandler): Route => ({ method, path: new RegExp(`^${path}/?$`), handler: api(handler) });
  const ID = '([^/]+)';
  const notFound = ikHandler(() => {
    throw new IkError(404, 'The requested resource does not exist.');
  });
  return [
    { method: 'POST', path: /^\/api\/v1\/files\/upload\/?$/, handler: ikHandler(uploadHandler(runtime)) },
    r('GET', '/v1/files', listFiles),
    r('POST', '/v1/files/batch/deleteByFileIds', bulkDelete),
    r('POST', '/v1/files/addTags', addTags),
    r('POST', '/v1/files/removeTags', removeTags),
    r('POST', '/v1/files/removeAITags', removeAITags),
    r('POST', '/v1/files/copy', copyFile),
    r('POST', '/v1/files/move', moveFile),
    r('PUT', '/v1/files/rename', renameFile),
    r('POST', '/v1/files/purge', purgeCache),
    r('GET', `/v1/files/purge/${ID}`, purgeStatus),
    r('GET', `/v1/files/${ID}/details`, fileDetails),
    r('PATCH', `/v1/files/${ID}/details`, updateFile),
    r('GET', `/v1/files/${ID}/metadata`, fileMetadata),
    r('GET', `/v1/files/${ID}/versions`, listVersions),
    r('GET', `/v1/files/${ID}/versions/${ID}`, versionDetails),
    r('DELETE', `/v1/files/${ID}/versions/${ID}`, deleteVersion),
    r('PUT', `/v1/files/${ID}/versions/${ID}/restore`, restoreVersion),
    r('DELETE', `/v1/files/${ID}`, deleteFile),
    r('GET', '/v1/metadata', urlMetadata),
    r('POST', '/v1/folder', createFolder),
    r('DELETE', '/v1/folder', deleteFolder),
    r('POST', '/v1/bulkJobs/copyFolder', copyFolder),
    r('POST', '/v1/bulkJobs/moveFolder', moveFolder),
    r('POST', '/v1/bulkJobs/renameFolder', renameFolder),
    r('GET', `/v1/bulkJobs/${ID}`, bulkJobStatus),
    r('GET', '/v1/customMetadataFields', listFields),
    r('POST', '/v1/customMetadataFields', createField),
    r('PATCH', `/v1/customMetadataFields/${ID}`, updateField),
    r('DELETE', `/v1/customMetadataFields/${ID}`, deleteField),
    ...runtime.accounts.map((a): Route => ({ method: 'GET', path: deliveryPattern(a), handler: deliveryHandler(runtime, a) })),
    ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method): Route => ({ method, path: /^\/(api\/)?v1(\/|$)/, handler: notFound })),
  ];
}
