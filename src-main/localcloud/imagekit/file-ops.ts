/**
 * Media API, operations on several files or on paths (spec §5, §5.5): bulk delete, add/remove
 * (AI) tags, copy / move / rename file. Bulk calls are all-or-nothing: any missing id → 404 with
 * `missingFileIds` and nothing changes.
 */
import { sendJson } from '../router.js';
import { IkError, normalizeFolder, parseBool, readJsonObject, requiredString, splitFilePath, stringArray, sendEmpty } from './http.js';
import { recordPurge } from './purge.js';
import { sanitizeFileName } from './upload-options.js';
import type { ApiHandler } from './routes-types.js';
import { currentVersion, filePathOf, newId, type FileRecord, type ImageKitStore, type VersionRecord } from './store.js';

const FILE_IDS_HELP = 'fileIds should be an array of fileId of the files. The array should have atleast one fileId.';

/** Resolves ids or throws the bulk 404 naming the missing ones. */
function requireAll(store: ImageKitStore, ids: readonly string[]): FileRecord[] {
  const missing = ids.filter((id) => !store.files.has(id));
  if (missing.length > 0) throw new IkError(404, 'The requested file(s) does not exist.', { missingFileIds: missing });
  return ids.map((id) => store.files.get(id) as FileRecord);
}

/** POST /v1/files/batch/deleteByFileIds */
export const bulkDelete: ApiHandler = async ({ req, res, store }) => {
  const ids = [...new Set(stringArray((await readJsonObject(req)).fileIds, 'fileIds', FILE_IDS_HELP))];
  const removed = await store.mutate(() => {
    const files = requireAll(store, ids);
    for (const f of files) store.files.delete(f.fileId);
    return files;
  });
  for (const f of removed) for (const v of f.versions) await store.releaseBlob(v.handle);
  sendJson(res, 200, { successfullyDeletedFileIds: ids });
};

/** Builds the add/remove (AI) tag handlers; `field` is the body key holding the tag list. */
function tagsHandler(field: 'tags' | 'AITags', change: (f: FileRecord, tags: readonly string[]) => FileRecord): ApiHandler {
  return async ({ req, res, store }) => {
    const body = await readJsonObject(req);
    const ids = [...new Set(stringArray(body.fileIds, 'fileIds', FILE_IDS_HELP))];
    const tags = stringArray(body[field], field, `${field} should be a non empty array of string like ['tag1', 'tag2'].`);
    await store.mutate(() => {
      for (const f of requireAll(store, ids)) store.files.set(f.fileId, { ...change(f, tags), updatedAt: Date.now() });
    });
    sendJson(res, 200, { successfullyUpdatedFileIds: ids });
  };
}

export const addTags = tagsHandler('tags', (f, tags) => ({ ...f, tags: [...new Set([...(f.tags ?? []), ...tags])] }));
export const removeTags = tagsHandler('tags', (f, tags) => {
  const left = (f.tags ?? []).filter((t) => !tags.includes(t));
  return { ...f, tags: left.length > 0 ? left : null };
});
export const removeAITags = tagsHandler('AITags', (f, tags) => {
  const left = (f.AITags ?? []).filter((t) => !tags.includes(t.name));
  return { ...f, AITags: left.length > 0 ? left : null };
});

/**
 * Puts `versions` of `src` into `folder` (call inside `mutate`). An existing file of the same name
 * there gets them appended to its history (ImageKit's rule); otherwise a new file is created
 * (`keepId` keeps the source's id, for moves). Blob handles are shared, never copied.
 */
export function placeFile(store: ImageKitStore, src: FileRecord, folder: string, versions: readonly VersionRecord[], keepId: boolean): FileRecord {
  const now = Date.now();
  const existing = store.byPath(folder + src.name);
  if (existing && existing.fileId !== src.fileId) {
    let n = existing.nextVersion;
    const added = versions.map((v) => ({ ...v, versionId: newId(), number: n++, createdAt: now }));
    const next: FileRecord = { ...existing, versions: [...existing.versions, ...added], currentVersionId: added[added.length - 1]?.versionId ?? existing.currentVersionId, nextVersion: n, updatedAt: now };
    store.files.set(next.fileId, next);
    return next;
  }
  const renumbered = versions.map((v, i) => ({ ...v, versionId: keepId ? v.versionId : newId(), number: i + 1 }));
  const last = renumbered[renumbered.length - 1];
  const next: FileRecord = {
    ...src,
    fileId: keepId ? src.fileId : newId(),
    folder,
    versions: renumbered,
    currentVersionId: keepId ? src.currentVersionId : (last?.versionId ?? ''),
    nextVersion: renumbered.length + 1,
    createdAt: keepId ? src.createdAt : now,
    updatedAt: now,
  };
  store.ensureFolder(folder, now);
  store.files.set(next.fileId, next);
  return next;
}

/** The versions a copy carries: the whole history, or only the current one. */
export const versionsToCopy = (f: FileRecord, all: boolean): VersionRecord[] => {
  if (!all) return [currentVersion(f)];
  // The current version goes last so it stays current at the destination.
  return [...f.versions.filter((v) => v.versionId !== f.currentVersionId), currentVersion(f)];
};

function sourceFile(store: ImageKitStore, body: Record<string, unknown>): FileRecord {
  const src = `/${requiredString(body, 'sourceFilePath').replace(/^\/+/, '')}`;
  const f = store.byPath(src);
  if (!f) throw new IkError(404, `No file found with filePath ${src}`, { reason: 'SOURCE_FILE_MISSING' });
  return f;
}

/** POST /v1/files/copy → 204 */
export const copyFile: ApiHandler = async ({ req, res, store }) => {
  const body = await readJsonObject(req);
  const dest = normalizeFolder(requiredString(body, 'destinationPath'), 'destinationPath');
  const all = parseBool(body.includeFileVersions, 'includeFileVersions') ?? false;
  await store.mutate(() => {
    const f = sourceFile(store, body);
    if (f.folder === dest) throw new IkError(400, 'sourceFilePath and destinationPath cannot be same.');
    placeFile(store, f, dest, versionsToCopy(f, all), false);
  });
  sendEmpty(res, 204);
};

/** POST /v1/files/move → 204 (the file keeps its id unless it merges into an existing one). */
export const moveFile: ApiHandler = async ({ req, res, store }) => {
  const body = await readJsonObject(req);
  const dest = normalizeFolder(requiredString(body, 'destinationPath'), 'destinationPath');
  await store.mutate(() => {
    const f = sourceFile(store, body);
    if (f.folder === dest) throw new IkError(400, 'sourceFilePath and destinationPath cannot be same.');
    const placed = placeFile(store, f, dest, versionsToCopy(f, true), true);
    if (placed.fileId !== f.fileId) store.files.delete(f.fileId);
  });
  sendEmpty(res, 204);
};

/** PUT /v1/files/rename → 200 `{}` or `{purgeRequestId}`; a taken name → 409 (not retried by v7). */
export const renameFile: ApiHandler = async ({ req, res, store, runtime, endpoint }) => {
  const body = await readJsonObject(req);
  const filePath = `/${requiredString(body, 'filePath').replace(/^\/+/, '')}`;
  const rawNew = requiredString(body, 'newFileName');
  if (rawNew.includes('/')) throw new IkError(400, 'newFileName parameter cannot have a slash.');
  const newName = sanitizeFileName(rawNew);
  const purge = parseBool(body.purgeCache, 'purgeCache') ?? false;
  const purgeRequestId = await store.mutate(() => {
    const f = store.byPath(filePath);
    if (!f) throw new IkError(404, `No file found with filePath ${filePath}`);
    const { folder } = splitFilePath(filePath);
    const other = store.byPath(folder + newName);
    if (other && other.fileId !== f.fileId) {
      throw new IkError(409, `File with name ${newName} already exists at the same location.`, { reason: 'FILE_ALREADY_EXISTS' }, { 'x-should-retry': 'false' });
    }
    store.files.set(f.fileId, { ...f, name: newName, updatedAt: Date.now() });
    return purge ? recordPurge(store, runtime, `${endpoint}${filePathOf(f)}`, endpoint) : undefined;
  });
  sendJson(res, 200, purgeRequestId !== undefined ? { purgeRequestId } : {});
};
