/**
 * Media API, single files (spec §5): list & search, details, update (incl. publish), delete.
 */
import { evaluate, parseSearchQuery, type SearchableFile } from '../../../src-shared/imagekit/search-query.js';
import { sendJson } from '../router.js';
import { applyCustomMetadata } from './custom-fields.js';
import { IkError, normalizeFolder, parseBool, queryParams, readJsonObject, sendEmpty } from './http.js';
import type { ApiHandler } from './routes-types.js';
import { currentVersion, filePathOf, type FileRecord, type FolderRecord, type ImageKitStore, type VersionRecord } from './store.js';
import { fileObject, folderObject } from './views.js';
import { parseExtensions } from './upload-options.js';

/** The file with `id`, or the fixture 404. */
export function requireFile(store: ImageKitStore, id: string): FileRecord {
  const f = store.files.get(id);
  if (!f) throw new IkError(404, 'The requested file does not exist.');
  return f;
}

type Entry =
  | { kind: 'file'; file: FileRecord; version: VersionRecord; search: SearchableFile }
  | { kind: 'folder'; folder: FolderRecord; search: SearchableFile };

function fileEntry(file: FileRecord, version: VersionRecord, isVersion: boolean): Entry {
  return {
    kind: 'file',
    file,
    version,
    search: {
      name: file.name,
      size: version.size,
      createdAt: isVersion ? version.createdAt : file.createdAt,
      updatedAt: isVersion ? version.createdAt : file.updatedAt,
      format: version.format,
      tags: [...(file.tags ?? []), ...(file.AITags ?? []).map((t) => t.name)],
      type: isVersion ? 'file-version' : 'file',
      width: version.width,
      height: version.height,
      filePath: filePathOf(file),
      customMetadata: file.customMetadata,
    },
  };
}

const folderEntry = (folder: FolderRecord): Entry => ({
  kind: 'folder',
  folder,
  search: { name: folder.path.split('/').filter(Boolean).pop() ?? '', createdAt: folder.createdAt, updatedAt: folder.updatedAt, type: 'folder', filePath: folder.path.replace(/\/$/, '') },
});

const SORT_KEYS: Record<string, (e: Entry) => string | number> = {
  NAME: (e) => e.search.name,
  CREATED: (e) => Number(e.search.createdAt),
  UPDATED: (e) => Number(e.search.updatedAt),
  HEIGHT: (e) => e.search.height ?? 0,
  WIDTH: (e) => e.search.width ?? 0,
  SIZE: (e) => e.search.size ?? 0,
  RELEVANCE: (e) => Number(e.search.createdAt),
};

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '' || raw === 'undefined') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new IkError(400, `Your request contains invalid ${name} parameter. It should be an integer from ${min} to ${max}.`);
  return n;
}

/** GET /v1/files — list & search (§5.1). */
export const listFiles: ApiHandler = ({ req, res, store, endpoint }) => {
  const q = queryParams(req);
  const get = (k: string): string | undefined => {
    const v = q.get(k);
    return v === null || v === '' || v === 'undefined' ? undefined : v;
  };
  const type = get('type') ?? (parseBool(get('includeFolder'), 'includeFolder') ? 'all' : 'file');
  if (!['file', 'file-version', 'folder', 'all'].includes(type)) throw new IkError(400, 'Your request contains invalid type parameter.');
  const searchText = get('searchQuery');
  const parsed = searchText !== undefined ? parseSearchQuery(searchText) : undefined;
  if (parsed && !parsed.ok) throw new IkError(400, parsed.message);
  const folder = get('path') !== undefined ? normalizeFolder(get('path') ?? '/', 'path') : undefined;
  const fileType = get('fileType') ?? 'all';
  const tags = get('tags')?.split(',').map((t) => t.trim()).filter(Boolean);
  const name = get('name');

  let entries: Entry[] = [];
  if (type === 'file' || type === 'all') for (const f of store.files.values()) entries.push(fileEntry(f, currentVersion(f), false));
  if (type === 'file-version') {
    for (const f of store.files.values()) for (const v of f.versions) entries.push(fileEntry(f, v, v.versionId !== f.currentVersionId));
  }
  if (type === 'folder' || type === 'all') for (const d of store.folders.values()) entries.push(folderEntry(d));
  entries = entries.filter((e) => {
    const path = e.kind === 'file' ? e.file.folder : e.folder.path.replace(/[^/]+\/$/, '');
    if (folder !== undefined && path !== folder) return false;
    if (e.kind === 'file' && fileType !== 'all' && e.version.fileType !== fileType) return false;
    if (parsed?.ok) return evaluate(parsed.ast, e.search, Date.now());
    if (tags && !(e.search.tags ?? []).some((t) => tags.includes(t))) return false;
    return name === undefined || e.search.name === name;
  });
  const sort = /^(ASC|DESC)_([A-Z]+)$/.exec(get('sort') ?? 'ASC_CREATED');
  const key = SORT_KEYS[sort?.[2] ?? ''];
  if (!sort || !key) throw new IkError(400, 'Your request contains invalid sort parameter.');
  const dir = sort[1] === 'DESC' ? -1 : 1;
  entries.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  const skip = intParam(q, 'skip', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(q, 'limit', 1000, 1, 1000);
  sendJson(res, 200, entries.slice(skip, skip + limit).map((e) => (e.kind === 'file' ? fileObject(e.file, endpoint, e.version) : folderObject(e.folder))));
};

/** GET /v1/files/{id}/details */
export const fileDetails: ApiHandler = ({ res, store, endpoint, match }) => {
  sendJson(res, 200, fileObject(requireFile(store, match[1] ?? ''), endpoint));
};

function tagList(value: unknown, name: string): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw new IkError(400, `Invalid value for ${name}`, { help: `${name} should be an array of strings or null.` });
  return [...new Set(value as string[])];
}

/** PATCH /v1/files/{id}/details — details and/or `publish` in one body (v6 merges them). */
export const updateFile: ApiHandler = async ({ req, res, store, endpoint, match }) => {
  const body = await readJsonObject(req);
  const id = match[1] ?? '';
  const tags = body.tags !== undefined ? tagList(body.tags, 'tags') : undefined;
  if (body.customCoordinates !== undefined && body.customCoordinates !== null && !/^\d+,\d+,\d+,\d+$/.test(String(body.customCoordinates))) {
    throw new IkError(400, 'Your request contains invalid customCoordinates parameter. It should be x,y,width,height.');
  }
  const removeAI = body.removeAITags === undefined || body.removeAITags === 'all' ? body.removeAITags : tagList(body.removeAITags, 'removeAITags');
  const extensions = parseExtensions(body.extensions);
  const publish = body.publish as { isPublished?: unknown; includeFileVersions?: unknown } | undefined;
  if (publish !== undefined && (typeof publish !== 'object' || publish === null || typeof publish.isPublished !== 'boolean')) {
    throw new IkError(400, 'Your request contains invalid publish parameter. It should be {"isPublished": true|false}.');
  }
  const updated = await store.mutate(() => {
    const f = requireFile(store, id);
    const next: FileRecord = {
      ...f,
      ...(tags !== undefined ? { tags } : {}),
      ...(body.customCoordinates !== undefined ? { customCoordinates: (body.customCoordinates as string | null) ?? null } : {}),
      ...(body.customMetadata !== undefined ? { customMetadata: applyCustomMetadata(store, f.customMetadata, body.customMetadata, { isNew: false, allowUnset: true }) } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(publish ? { isPublished: publish.isPublished as boolean } : {}),
      ...(extensions.length > 0 ? { extensionStatus: Object.fromEntries(extensions.map((e) => [e.name, 'failed'])) } : {}),
      updatedAt: Date.now(),
    };
    if (removeAI === 'all') next.AITags = null;
    else if (Array.isArray(removeAI) && f.AITags) next.AITags = f.AITags.filter((t) => !removeAI.includes(t.name));
    store.files.set(id, next);
    return next;
  });
  sendJson(res, 200, { ...fileObject(updated, endpoint), extensionStatus: updated.extensionStatus ?? {} });
};

/** DELETE /v1/files/{id} → 204; blobs go once nothing references them. */
export const deleteFile: ApiHandler = async ({ res, store, match }) => {
  const id = match[1] ?? '';
  const removed = await store.mutate(() => {
    const f = requireFile(store, id);
    store.files.delete(id);
    return f;
  });
  for (const v of removed.versions) await store.releaseBlob(v.handle);
  sendEmpty(res, 204);
};
