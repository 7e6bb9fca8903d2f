/**
 * The ImageKit client: every operation of spec §2-§8 bound to one account configuration. Each
 * method validates its input first (typed bad_request, no request), then makes exactly one HTTP
 * call through net/http; failures are FerryErrors carrying an AppError from toImageKitError.
 */
import type { UploadResponse } from './schemas.js';
import type { AuthenticationParameters } from '../../protocol/imagekit/auth-params.js';
import * as customMetadata from './custom-metadata.js';
import * as fileOps from './file-ops.js';
import * as folders from './folders.js';
import * as media from './media.js';
import * as metadata from './metadata.js';
import * as purge from './purge.js';
import { resolveConfig, type CallOptions, type ImageKitConfig, type ResolvedConfig } from './transport.js';
import { upload, type UploadRequest } from './upload.js';
import { buildDeliveryUrl, getAuthenticationParameters, pHashDistance, type UrlOptions } from './url.js';

export type { ImageKitConfig, CallOptions } from './transport.js';
export type { UploadRequest, UploadFile } from './upload.js';
export type { UploadOptions, PostTransformation, UploadExtension } from './upload-options.js';
export type { ListFilesQuery, UpdateFileDetails } from './media.js';
export type { UrlOptions } from './url.js';
export type * from './schemas.js';
export type { CustomMetadataField, CustomMetadataFieldSchema, CustomMetadataFieldSchemaUpdate } from '../../protocol/imagekit/custom-metadata-schema.js';

/** Drops the leading config argument of an operation. */
type Bound<F> = F extends (cfg: ResolvedConfig, ...args: infer A) => infer R ? (...args: A) => R : never;

/** What {@link createImageKitClient} returns. */
export type ImageKitClient = {
  readonly config: Readonly<Omit<ResolvedConfig, 'privateKey'>>;
  upload(req: UploadRequest): Promise<UploadResponse>;
  /** Delivery URL (optionally signed, `expiresIn` in seconds). */
  url(opts: UrlOptions): string;
  /** Client-side upload auth parameters (§3). */
  getAuthenticationParameters(token?: string, expire?: number): AuthenticationParameters;
  pHashDistance: typeof pHashDistance;
  listFiles: Bound<typeof media.listFiles>;
  getFileDetails: Bound<typeof media.getFileDetails>;
  updateFileDetails: Bound<typeof media.updateFileDetails>;
  changePublicationStatus: Bound<typeof media.changePublicationStatus>;
  deleteFile: Bound<typeof media.deleteFile>;
  getFileVersions: Bound<typeof media.getFileVersions>;
  getFileVersionDetails: Bound<typeof media.getFileVersionDetails>;
  deleteFileVersion: Bound<typeof media.deleteFileVersion>;
  restoreFileVersion: Bound<typeof media.restoreFileVersion>;
  bulkDeleteFiles: Bound<typeof fileOps.bulkDeleteFiles>;
  addTags: Bound<typeof fileOps.addTags>;
  removeTags: Bound<typeof fileOps.removeTags>;
  removeAITags: Bound<typeof fileOps.removeAITags>;
  copyFile: Bound<typeof fileOps.copyFile>;
  moveFile: Bound<typeof fileOps.moveFile>;
  renameFile: Bound<typeof fileOps.renameFile>;
  createFolder: Bound<typeof folders.createFolder>;
  deleteFolder: Bound<typeof folders.deleteFolder>;
  copyFolder: Bound<typeof folders.copyFolder>;
  moveFolder: Bound<typeof folders.moveFolder>;
  renameFolder: Bound<typeof folders.renameFolder>;
  getBulkJobStatus: Bound<typeof folders.getBulkJobStatus>;
  purgeCache: Bound<typeof purge.purgeCache>;
  getPurgeCacheStatus: Bound<typeof purge.getPurgeCacheStatus>;
  getFileMetadata: Bound<typeof metadata.getFileMetadata>;
  getRemoteFileMetadata: Bound<typeof metadata.getRemoteFileMetadata>;
  createCustomMetadataField: Bound<typeof customMetadata.createCustomMetadataField>;
  listCustomMetadataFields: Bound<typeof customMetadata.listCustomMetadataFields>;
  updateCustomMetadataField: Bound<typeof customMetadata.updateCustomMetadataField>;
  deleteCustomMetadataField: Bound<typeof customMetadata.deleteCustomMetadataField>;
};

/** Binds `fn` to `cfg`. */
function bind<A extends unknown[], R>(cfg: ResolvedConfig, fn: (cfg: ResolvedConfig, ...args: A) => R): (...args: A) => R {
  return (...args: A) => fn(cfg, ...args);
}

/**
 * Creates a client. `uploadBase` defaults to https://upload.imagekit.io and `apiBase` to
 * https://api.imagekit.io; point both at the local cloud to test. A missing private key or
 * endpoint throws a typed bad_request immediately.
 */
export function createImageKitClient(config: ImageKitConfig): ImageKitClient {
  const cfg = resolveConfig(config);
  const { privateKey: _secret, ...visible } = cfg;
  return {
    config: visible,
    upload: (req) => upload(cfg, req),
    url: (opts) => buildDeliveryUrl(cfg.privateKey, cfg.urlEndpoint, opts),
    getAuthenticationParameters: (token, expire) => getAuthenticationParameters(cfg.privateKey, token, expire),
    pHashDistance,
    listFiles: bind(cfg, media.listFiles),
    getFileDetails: bind(cfg, media.getFileDetails),
    updateFileDetails: bind(cfg, media.updateFileDetails),
    changePublicationStatus: bind(cfg, media.changePublicationStatus),
    deleteFile: bind(cfg, media.deleteFile),
    getFileVersions: bind(cfg, media.getFileVersions),
    getFileVersionDetails: bind(cfg, media.getFileVersionDetails),
    deleteFileVersion: bind(cfg, media.deleteFileVersion),
    restoreFileVersion: bind(cfg, media.restoreFileVersion),
    bulkDeleteFiles: bind(cfg, fileOps.bulkDeleteFiles),
    addTags: bind(cfg, fileOps.addTags),
    removeTags: bind(cfg, fileOps.removeTags),
    removeAITags: bind(cfg, fileOps.removeAITags),
    copyFile: bind(cfg, fileOps.copyFile),
    moveFile: bind(cfg, fileOps.moveFile),
    renameFile: bind(cfg, fileOps.renameFile),
    createFolder: bind(cfg, folders.createFolder),
    deleteFolder: bind(cfg, folders.deleteFolder),
    copyFolder: bind(cfg, folders.copyFolder),
    moveFolder: bind(cfg, folders.moveFolder),
    renameFolder: bind(cfg, folders.renameFolder),
    getBulkJobStatus: bind(cfg, folders.getBulkJobStatus),
    purgeCache: bind(cfg, purge.purgeCache),
    getPurgeCacheStatus: bind(cfg, purge.getPurgeCacheStatus),
    getFileMetadata: bind(cfg, metadata.getFileMetadata),
    getRemoteFileMetadata: bind(cfg, metadata.getRemoteFileMetadata),
    createCustomMetadataField: bind(cfg, customMetadata.createCustomMetadataField),
    listCustomMetadataFields: bind(cfg, customMetadata.listCustomMetadataFields),
    updateCustomMetadataField: bind(cfg, customMetadata.updateCustomMetadataField),
    deleteCustomMetadataField: bind(cfg, customMetadata.deleteCustomMetadataField),
  };
}

/** Re-exported so callers need only this module. */
export { pHashDistance, getAuthenticationParameters };
export type { CallOptions as ImageKitCallOptions };
