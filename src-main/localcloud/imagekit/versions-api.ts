/**
 * Media API, file versions (spec §5): list, details, delete (non-current only), restore.
 */
import { sendJson } from '../router.js';
import { requireFile } from './files-api.js';
import { IkError, sendEmpty } from './http.js';
import type { ApiHandler } from './routes-types.js';
import type { FileRecord, ImageKitStore, VersionRecord } from './store.js';
import { fileObject } from './views.js';

function requireVersion(store: ImageKitStore, fileId: string, versionId: string): { file: FileRecord; version: VersionRecord } {
  const file = requireFile(store, fileId);
  const version = file.versions.find((v) => v.versionId === versionId);
  if (!version) throw new IkError(404, 'The requested file version does not exist.');
  return { file, version };
}

/** GET /v1/files/{id}/versions — every version, oldest first; the current one has `type: file`. */
export const listVersions: ApiHandler = ({ res, store, endpoint, match }) => {
  const file = requireFile(store, match[1] ?? '');
  sendJson(res, 200, file.versions.map((v) => fileObject(file, endpoint, v)));
};

/** GET /v1/files/{id}/versions/{versionId} */
export const versionDetails: ApiHandler = ({ res, store, endpoint, match }) => {
  const { file, version } = requireVersion(store, match[1] ?? '', match[2] ?? '');
  sendJson(res, 200, fileObject(file, endpoint, version));
};

/** DELETE /v1/files/{id}/versions/{versionId} → 204; the current version cannot be deleted (400). */
export const deleteVersion: ApiHandler = async ({ res, store, match }) => {
  const [fileId, versionId] = [match[1] ?? '', match[2] ?? ''];
  const handle = await store.mutate(() => {
    const { file, version } = requireVersion(store, fileId, versionId);
    if (file.currentVersionId === versionId) throw new IkError(400, 'You cannot delete the current version of a file. Restore another version first.');
    store.files.set(fileId, { ...file, versions: file.versions.filter((v) => v.versionId !== versionId) });
    return version.handle;
  });
  await store.releaseBlob(handle);
  sendEmpty(res, 204);
};

/** PUT /v1/files/{id}/versions/{versionId}/restore → the file with that version current. */
export const restoreVersion: ApiHandler = async ({ res, store, endpoint, match }) => {
  const [fileId, versionId] = [match[1] ?? '', match[2] ?? ''];
  const file = await store.mutate(() => {
    const { file: f } = requireVersion(store, fileId, versionId);
    const next: FileRecord = { ...f, currentVersionId: versionId, updatedAt: Date.now() };
    store.files.set(fileId, next);
    return next;
  });
  sendJson(res, 200, fileObject(file, endpoint));
};
