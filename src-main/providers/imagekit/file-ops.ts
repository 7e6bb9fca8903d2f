/**
 * Media API — bulk and path operations on files (spec §5, §5.5): bulk delete, tags, AI tags,
 * copy, move, rename. A 207 answer is thrown as `partial_success` by the transport.
 */
import { bulkDeleteResponseSchema, bulkUpdateResponseSchema, renameResponseSchema } from './schemas.js';
import { apiCall, expectShape, type CallOptions, type ResolvedConfig } from './transport.js';
import { optionalBool, requireFileIds, requireString, requireTags } from './validate.js';

/** `POST /v1/files/batch/deleteByFileIds`; unknown ids → not_found / partial_success with `missingFileIds`. */
export async function bulkDeleteFiles(cfg: ResolvedConfig, fileIds: readonly string[], call: CallOptions = {}): Promise<{ successfullyDeletedFileIds: string[] }> {
  const ids = requireFileIds(fileIds);
  const res = await apiCall(cfg, { ...call, method: 'POST', path: '/v1/files/batch/deleteByFileIds', json: { fileIds: ids } });
  return expectShape('bulk delete', bulkDeleteResponseSchema, res.data);
}

async function bulkUpdate(cfg: ResolvedConfig, path: string, body: Record<string, unknown>, call: CallOptions): Promise<{ successfullyUpdatedFileIds: string[] }> {
  const res = await apiCall(cfg, { ...call, method: 'POST', path, json: body });
  return expectShape(path, bulkUpdateResponseSchema, res.data);
}

/** `POST /v1/files/addTags`. */
export async function addTags(cfg: ResolvedConfig, fileIds: readonly string[], tags: readonly string[], call: CallOptions = {}): Promise<{ successfullyUpdatedFileIds: string[] }> {
  return bulkUpdate(cfg, '/v1/files/addTags', { fileIds: requireFileIds(fileIds), tags: requireTags(tags) }, call);
}

/** `POST /v1/files/removeTags`. */
export async function removeTags(cfg: ResolvedConfig, fileIds: readonly string[], tags: readonly string[], call: CallOptions = {}): Promise<{ successfullyUpdatedFileIds: string[] }> {
  return bulkUpdate(cfg, '/v1/files/removeTags', { fileIds: requireFileIds(fileIds), tags: requireTags(tags) }, call);
}

/** `POST /v1/files/removeAITags` (body key `AITags`, exact capitalisation). */
export async function removeAITags(cfg: ResolvedConfig, fileIds: readonly string[], aiTags: readonly string[], call: CallOptions = {}): Promise<{ successfullyUpdatedFileIds: string[] }> {
  return bulkUpdate(cfg, '/v1/files/removeAITags', { fileIds: requireFileIds(fileIds), AITags: requireTags(aiTags, 'AITags') }, call);
}

/** `POST /v1/files/copy` (204). `destinationPath` is a folder. */
export async function copyFile(
  cfg: ResolvedConfig,
  opts: { readonly sourceFilePath: string; readonly destinationPath: string; readonly includeFileVersions?: boolean },
  call: CallOptions = {},
): Promise<void> {
  const body = {
    sourceFilePath: requireString(opts?.sourceFilePath, 'sourceFilePath'),
    destinationPath: requireString(opts.destinationPath, 'destinationPath'),
    includeFileVersions: optionalBool(opts.includeFileVersions, 'includeFileVersions') ?? false,
  };
  await apiCall(cfg, { ...call, method: 'POST', path: '/v1/files/copy', json: body });
}

/** `POST /v1/files/move` (204). */
export async function moveFile(cfg: ResolvedConfig, opts: { readonly sourceFilePath: string; readonly destinationPath: string }, call: CallOptions = {}): Promise<void> {
  const body = { sourceFilePath: requireString(opts?.sourceFilePath, 'sourceFilePath'), destinationPath: requireString(opts.destinationPath, 'destinationPath') };
  await apiCall(cfg, { ...call, method: 'POST', path: '/v1/files/move', json: body });
}

/** `PUT /v1/files/rename`; a taken name → `conflict` (409). `purgeRequestId` only when purgeCache. */
export async function renameFile(
  cfg: ResolvedConfig,
  opts: { readonly filePath: string; readonly newFileName: string; readonly purgeCache?: boolean },
  call: CallOptions = {},
): Promise<{ purgeRequestId?: string }> {
  const body = {
    filePath: requireString(opts?.filePath, 'filePath'),
    newFileName: requireString(opts.newFileName, 'newFileName'),
    purgeCache: optionalBool(opts.purgeCache, 'purgeCache') ?? false,
  };
  const res = await apiCall(cfg, { ...call, method: 'PUT', path: '/v1/files/rename', json: body });
  const parsed = expectShape('rename file', renameResponseSchema, res.data ?? {});
  return parsed.purgeRequestId !== undefined ? { purgeRequestId: parsed.purgeRequestId } : {};
}
