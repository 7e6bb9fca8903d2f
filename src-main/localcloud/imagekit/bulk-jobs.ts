/**
 * Folder copy / move / rename as bulk jobs (spec §5). The emulator does the work before it
 * answers, so a job is `Completed` by the time its id is known; the status route still exists
 * because clients poll it.
 */
import { sendJson } from '../router.js';
import { placeFile, versionsToCopy } from './file-ops.js';
import { folderExists } from './folders-api.js';
import { IkError, normalizeFolder, parseBool, readJsonObject, requiredString } from './http.js';
import { recordPurge } from './purge.js';
import type { ApiHandler } from './routes-types.js';
import { newId, type BulkJobRecord, type ImageKitStore } from './store.js';

/**
 * Re-roots everything under `from` at `to` (both `/x/` form). Copies give new ids (and only
 * current versions unless `allVersions`); moves keep ids and remove the source tree.
 */
function relocate(store: ImageKitStore, from: string, to: string, mode: 'copy' | 'move', allVersions: boolean): void {
  const now = Date.now();
  store.ensureFolder(to, now);
  for (const p of [...store.folders.keys()]) if (p.startsWith(from)) store.ensureFolder(to + p.slice(from.length), now);
  for (const f of [...store.files.values()]) {
    if (!f.folder.startsWith(from)) continue;
    const dest = to + f.folder.slice(from.length);
    const placed = placeFile(store, f, dest, versionsToCopy(f, mode === 'move' || allVersions), mode === 'move');
    if (mode === 'move' && placed.fileId !== f.fileId) store.files.delete(f.fileId);
  }
  if (mode === 'move') for (const p of [...store.folders.keys()]) if (p.startsWith(from)) store.folders.delete(p);
}

function source(store: ImageKitStore, body: Record<string, unknown>, key: string): { folder: string; raw: string } {
  const raw = requiredString(body, key);
  const folder = normalizeFolder(raw, key);
  if (folder === '/' || !folderExists(store, folder)) throw new IkError(404, `No files & folder found at ${key} ${raw}`, { reason: 'NO_FILES_FOLDER' });
  return { folder, raw };
}

const lastSegment = (folder: string): string => folder.split('/').filter(Boolean).pop() ?? '';

function job(store: ImageKitStore, type: BulkJobRecord['type'], purgeRequestId?: string): BulkJobRecord {
  const j: BulkJobRecord = { jobId: newId(), type, status: 'Completed', ...(purgeRequestId !== undefined ? { purgeRequestId } : {}) };
  store.jobs.set(j.jobId, j);
  return j;
}

/** Copy and move share everything but the mode. */
function copyOrMove(mode: 'copy' | 'move'): ApiHandler {
  return async ({ req, res, store }) => {
    const body = await readJsonObject(req);
    const dest = normalizeFolder(requiredString(body, 'destinationPath'), 'destinationPath');
    // v6/py4 say includeFileVersions, v7 includeVersions (§5.4): accept either.
    const all = parseBool(body.includeVersions ?? body.includeFileVersions, 'includeVersions') ?? false;
    const j = await store.mutate(() => {
      const { folder } = source(store, body, 'sourceFolderPath');
      const to = `${dest}${lastSegment(folder)}/`;
      if (folder === dest || folder === to) throw new IkError(400, 'sourceFolderPath and destinationPath cannot be same.');
      if (to.startsWith(folder)) throw new IkError(400, 'destinationPath cannot be inside sourceFolderPath.');
      relocate(store, folder, to, mode, all);
      return job(store, mode === 'copy' ? 'COPY_FOLDER' : 'MOVE_FOLDER');
    });
    sendJson(res, 200, { jobId: j.jobId });
  };
}

export const copyFolder = copyOrMove('copy');
export const moveFolder = copyOrMove('move');

/** POST /v1/bulkJobs/renameFolder {folderPath, newFolderName, purgeCache} → {jobId}. */
export const renameFolder: ApiHandler = async ({ req, res, store, runtime, endpoint }) => {
  const body = await readJsonObject(req);
  const name = requiredString(body, 'newFolderName').trim();
  if (name.includes('/')) throw new IkError(400, 'newFolderName parameter cannot have a slash.');
  const purge = parseBool(body.purgeCache, 'purgeCache') ?? false;
  const j = await store.mutate(() => {
    const { folder } = source(store, body, 'folderPath');
    const to = normalizeFolder(folder.replace(/[^/]+\/$/, '') + name, 'newFolderName');
    if (to === folder) throw new IkError(400, 'newFolderName is the current name of the folder.');
    if (folderExists(store, to)) throw new IkError(409, `Folder with name ${name} already exists at the same location.`, { reason: 'FOLDER_ALREADY_EXISTS' }, { 'x-should-retry': 'false' });
    relocate(store, folder, to, 'move', true);
    const purgeId = purge ? recordPurge(store, runtime, `${endpoint}${folder}*`, endpoint) : undefined;
    return job(store, 'RENAME_FOLDER', purgeId);
  });
  sendJson(res, 200, { jobId: j.jobId });
};

/** GET /v1/bulkJobs/{jobId} */
export const bulkJobStatus: ApiHandler = ({ res, store, match }) => {
  const j = store.jobs.get(match[1] ?? '');
  if (!j) throw new IkError(404, 'No job found for this jobId.');
  sendJson(res, 200, { jobId: j.jobId, type: j.type, status: j.status, ...(j.purgeRequestId !== undefined ? { purgeRequestId: j.purgeRequestId } : {}) });
};
