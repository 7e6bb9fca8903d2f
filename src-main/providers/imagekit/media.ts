/**
 * Media API — single files and their versions (spec §5, §5.1-§5.3): list/search, details,
 * update, publication status, delete, versions.
 */
import { fileListSchema, fileObjectSchema, fileVersionsSchema, type FileObject, type ListEntry } from './schemas.js';
import { apiCall, badRequest, expectShape, seg, type CallOptions, type ResolvedConfig } from './transport.js';
import type { UploadExtension } from './upload-options.js';
import { optionalBool, requireId } from './validate.js';

/** §5.1 list/search parameters. `searchQuery` wins over `tags`, `type` and `name` on the server. */
export type ListFilesQuery = {
  readonly type?: 'file' | 'file-version' | 'folder' | 'all';
  readonly sort?: string;
  readonly path?: string;
  readonly searchQuery?: string;
  readonly fileType?: 'all' | 'image' | 'non-image';
  readonly tags?: readonly string[];
  readonly includeFolder?: boolean;
  readonly name?: string;
  /** 1–1000, default 1000. */
  readonly limit?: number;
  readonly skip?: number;
};

/** §5.3 update body (any subset). `customMetadata` keys set to `null` are unset. */
export type UpdateFileDetails = {
  readonly tags?: readonly string[] | null;
  readonly customCoordinates?: string | null;
  readonly customMetadata?: Readonly<Record<string, unknown>>;
  readonly removeAITags?: readonly string[] | 'all';
  readonly webhookUrl?: string;
  readonly extensions?: readonly UploadExtension[];
  readonly description?: string;
};

const SORTS = /^(ASC|DESC)_(NAME|CREATED|UPDATED|HEIGHT|WIDTH|SIZE|RELEVANCE)$/;

function checkListQuery(q: ListFilesQuery): void {
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 1000)) {
    throw badRequest('Invalid value for limit', 'limit should be a whole number from 1 to 1000.');
  }
  if (q.skip !== undefined && (!Number.isInteger(q.skip) || q.skip < 0)) throw badRequest('Invalid value for skip', 'skip should be a whole number ≥ 0.');
  if (q.sort !== undefined && !SORTS.test(q.sort)) throw badRequest('Invalid value for sort', 'sort should look like ASC_CREATED or DESC_SIZE.');
  optionalBool(q.includeFolder, 'includeFolder');
}

/** `GET /v1/files`: files (and folders for `type=all|folder`) matching the query. */
export async function listFiles(cfg: ResolvedConfig, query: ListFilesQuery = {}, call: CallOptions = {}): Promise<ListEntry[]> {
  checkListQuery(query);
  const res = await apiCall(cfg, { ...call, method: 'GET', path: '/v1/files', query: { ...query } });
  return expectShape('list files', fileListSchema, res.data);
}

/** `GET /v1/files/{fileId}/details`. */
export async function getFileDetails(cfg: ResolvedConfig, fileId: string, call: CallOptions = {}): Promise<FileObject> {
  const res = await apiCall(cfg, { ...call, method: 'GET', path: `/v1/files/${seg(requireId(fileId, 'fileId'))}/details` });
  return expectShape('file details', fileObjectSchema, res.data);
}

/** `PATCH /v1/files/{fileId}/details` with a §5.3 body (v6 drops removeAITags; we send it). */
export async function updateFileDetails(cfg: ResolvedConfig, fileId: string, update: UpdateFileDetails, call: CallOptions = {}): Promise<FileObject> {
  const id = requireId(fileId, 'fileId');
  if (typeof update !== 'object' || update === null || Object.values(update).every((v) => v === undefined)) {
    throw badRequest('Missing update data for this request', 'Pass at least one of tags, customCoordinates, customMetadata, removeAITags, webhookUrl, extensions, description.');
  }
  if (update.removeAITags !== undefined && update.removeAITags !== 'all' && !Array.isArray(update.removeAITags)) {
    throw badRequest('Invalid value for removeAITags', "removeAITags should be an array of AI tag names or 'all'.");
  }
  const res = await apiCall(cfg, { ...call, method: 'PATCH', path: `/v1/files/${seg(id)}/details`, json: update });
  return expectShape('update file details', fileObjectSchema, res.data);
}

/** Publishes or unpublishes a file (`{publish: {isPublished, includeFileVersions}}`). */
export async function changePublicationStatus(
  cfg: ResolvedConfig,
  fileId: string,
  publish: { readonly isPublished: boolean; readonly includeFileVersions?: boolean },
  call: CallOptions = {},
): Promise<FileObject> {
  const id = requireId(fileId, 'fileId');
  if (typeof publish?.isPublished !== 'boolean') throw badRequest('Invalid value for isPublished', 'isPublished should be true or false.');
  optionalBool(publish.includeFileVersions, 'includeFileVersions');
  const res = await apiCall(cfg, { ...call, method: 'PATCH', path: `/v1/files/${seg(id)}/details`, json: { publish } });
  return expectShape('change publication status', fileObjectSchema, res.data);
}

/** `DELETE /v1/files/{fileId}` (204). */
export async function deleteFile(cfg: ResolvedConfig, fileId: string, call: CallOptions = {}): Promise<void> {
  await apiCall(cfg, { ...call, method: 'DELETE', path: `/v1/files/${seg(requireId(fileId, 'fileId'))}` });
}

/** `GET /v1/files/{fileId}/versions`: every version, the current one included. */
export async function getFileVersions(cfg: ResolvedConfig, fileId: string, call: CallOptions = {}): Promise<FileObject[]> {
  const res = await apiCall(cfg, { ...call, method: 'GET', path: `/v1/files/${seg(requireId(fileId, 'fileId'))}/versions` });
  return expectShape('file versions', fileVersionsSchema, res.data);
}

const versionPath = (fileId: string, versionId: string): string =>
  `/v1/files/${seg(requireId(fileId, 'fileId'))}/versions/${seg(requireId(versionId, 'versionId'))}`;

/** `GET /v1/files/{fileId}/versions/{versionId}`. */
export async function getFileVersionDetails(cfg: ResolvedConfig, fileId: string, versionId: string, call: CallOptions = {}): Promise<FileObject> {
  const res = await apiCall(cfg, { ...call, method: 'GET', path: versionPath(fileId, versionId) });
  return expectShape('file version details', fileObjectSchema, res.data);
}

/** `DELETE /v1/files/{fileId}/versions/{versionId}` (204; the current version cannot be deleted). */
export async function deleteFileVersion(cfg: ResolvedConfig, fileId: string, versionId: string, call: CallOptions = {}): Promise<void> {
  await apiCall(cfg, { ...call, method: 'DELETE', path: versionPath(fileId, versionId) });
}

/** `PUT …/versions/{versionId}/restore` (no body): makes that version current again. */
export async function restoreFileVersion(cfg: ResolvedConfig, fileId: string, versionId: string, call: CallOptions = {}): Promise<FileObject> {
  const res = await apiCall(cfg, { ...call, method: 'PUT', path: `${versionPath(fileId, versionId)}/restore` });
  return expectShape('restore file version', fileObjectSchema, res.data);
}
