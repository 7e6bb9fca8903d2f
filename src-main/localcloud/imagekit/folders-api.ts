/**
 * Media API, folders (spec §5): create and delete (`DELETE /v1/folder` carries a JSON body).
 * Copy / move / rename of folders are bulk jobs (bulk-jobs.ts).
 */
import { sendJson } from '../router.js';
import { IkError, normalizeFolder, readJsonObject, requiredString, sendEmpty } from './http.js';
import type { ApiHandler } from './routes-types.js';
import type { ImageKitStore } from './store.js';

/** True when `folder` exists or holds anything (files imply their folders). */
export function folderExists(store: ImageKitStore, folder: string): boolean {
  if (store.hasFolder(folder)) return true;
  for (const f of store.files.values()) if (f.folder.startsWith(folder)) return true;
  return false;
}

/** POST /v1/folder {folderName, parentFolderPath} → 201 {} (creating an existing folder is fine). */
export const createFolder: ApiHandler = async ({ req, res, store }) => {
  const body = await readJsonObject(req);
  const name = requiredString(body, 'folderName').trim();
  if (name.includes('/')) throw new IkError(400, 'folderName parameter cannot have a slash.');
  const parent = normalizeFolder(typeof body.parentFolderPath === 'string' ? body.parentFolderPath : '/', 'parentFolderPath');
  const folder = normalizeFolder(parent + name, 'folderName');
  await store.mutate(() => store.ensureFolder(folder));
  sendJson(res, 201, {});
};

/** DELETE /v1/folder {folderPath} → 204; removes the folder, its subfolders and their files. */
export const deleteFolder: ApiHandler = async ({ req, res, store }) => {
  const body = await readJsonObject(req);
  const raw = requiredString(body, 'folderPath');
  const folder = normalizeFolder(raw, 'folderPath');
  if (folder === '/') throw new IkError(400, 'The root folder cannot be deleted.');
  const handles = await store.mutate(() => {
    if (!folderExists(store, folder)) throw new IkError(404, `No folder found with folderPath ${raw}`, { reason: 'FOLDER_NOT_FOUND' });
    const out: string[] = [];
    for (const [id, f] of store.files) {
      if (!f.folder.startsWith(folder)) continue;
      store.files.delete(id);
      out.push(...f.versions.map((v) => v.handle));
    }
    for (const p of [...store.folders.keys()]) if (p.startsWith(folder)) store.folders.delete(p);
    return out;
  });
  for (const h of new Set(handles)) await store.releaseBlob(h);
  sendEmpty(res, 204);
};
