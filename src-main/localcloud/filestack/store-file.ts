/**
 * Stores bytes produced by the processing API (`store` in a chain, POST /process, /api/store)
 * as a new file, with the same key/container rules as a multipart upload, and shapes the JSON
 * answers those calls give (spec §5.1, §5.2, §7.6).
 */
import path from 'node:path';
import mime from 'mime-types';
import type { TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import type { FinishedTemp, StoredFile } from '../storage.js';
import { randomId } from '../storage.js';

/** Store options as every caller normalises them (`store` task params, /process params, query). */
export type StoreOptions = {
  readonly filename?: string;
  readonly location?: string;
  readonly path?: string;
  readonly container?: string;
  readonly region?: string;
  readonly access?: string;
  readonly mimetype?: string;
};

/** Container used when a call names none (the same one multipart uploads use). */
export const DEFAULT_STORE_CONTAINER = 'ferry-local';
const LOCATIONS = new Set(['s3', 'gcs', 'azure', 'rackspace', 'dropbox']);

/** Picks the string store options out of loose params (unknown keys such as workflows are ignored). */
export function storeOptionsFrom(params: Readonly<Record<string, TaskValue | unknown>> | undefined): StoreOptions {
  const out: Record<string, string> = {};
  for (const key of ['filename', 'location', 'path', 'container', 'region', 'access', 'mimetype'] as const) {
    const v = params?.[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
    else if (typeof v === 'number') out[key] = String(v);
  }
  if (out.location !== undefined && !LOCATIONS.has(out.location.toLowerCase())) {
    throw new HttpError(400, 'bad_request', `Unknown storage location "${out.location}"; use one of ${[...LOCATIONS].join(', ')}.`);
  }
  return out;
}

/** Replaces the extension of `filename` with the one of `mimetype` when they disagree. */
export function renameForType(filename: string, mimetype: string): string {
  const ext = mime.extension(mimetype);
  if (!ext) return filename;
  const current = path.extname(filename).slice(1).toLowerCase();
  if (current === ext || mime.lookup(current) === mimetype) return filename;
  return `${current === '' ? filename : filename.slice(0, -(current.length + 1))}.${ext}`;
}

/**
 * The storage key of a new file, as Filestack picks it: a random prefix plus the filename unless
 * a full path is given; a path ending in "/" is a folder the prefixed filename goes into.
 */
export function storageKey(storePath: string | null, filename: string): string {
  if (storePath === null) return `${randomId(16)}_${filename}`;
  return storePath.endsWith('/') ? `${storePath}${randomId(16)}_${filename}` : storePath;
}

/** Writes `data` (bytes, or a finished temp file which is moved into place) as a new stored file of app `apikey`. */
export async function storeBytes(
  ctx: CloudContext,
  input: { data: Buffer | FinishedTemp; apikey: string; filename: string; mimetype: string; store: StoreOptions; uploadTags?: Record<string, string> },
): Promise<StoredFile> {
  const filename = input.store.filename ?? input.filename;
  const storePath = input.store.path ?? null;
  const key = storageKey(storePath, filename);
  const meta = {
    filename,
    mimetype: input.store.mimetype ?? input.mimetype,
    apikey: input.apikey,
    key,
    path: storePath,
    container: input.store.container ?? DEFAULT_STORE_CONTAINER,
    location: (input.store.location ?? 's3').toLowerCase(),
    ...(input.uploadTags ? { uploadTags: input.uploadTags } : {}),
  };
  return Buffer.isBuffer(input.data) ? ctx.storage.putBuffer(input.data, meta) : ctx.storage.commit(input.data, meta);
}

/** The `store` task / POST /process answer (spec §7.6; `mimetype` mirrors `type` for JS). */
export function storeAnswer(ctx: CloudContext, file: StoredFile): Record<string, unknown> {
  return {
    handle: file.handle,
    url: `${ctx.baseUrl}/${file.handle}`,
    filename: file.filename,
    key: file.key,
    container: file.container,
    size: file.size,
    type: file.mimetype,
    mimetype: file.mimetype,
  };
}
