import { appError, FerryError } from '../../../src-shared/errors.js';
import { FILESTACK_STORE_LOCATIONS } from '../../../src-shared/model/transfer-settings.js';

/**
 * Filestack store parameters (spec §3.6): what a provider's `store` / `uploadTags` options become
 * on the wire, and the pure checks the local cloud shares with the client.
 *
 * Path rule (our choice, documented): Filestack's `store.path` is the full storage key, and a
 * path ending in `/` is a folder the server appends `<random>_<filename>` to. When a job has a
 * `relativePath` (a dropped folder's structure or a watch folder's remote-path output, e.g.
 * `album/sub/a.jpg`) and `pathFromRelativePath` is on (default), its folders go under
 * `store.path` as a folder (`<store.path>/album/sub/`), so the structure survives remotely and the
 * server's random prefix keeps two files of the same name from overwriting each other. With
 * `exactKeys` (like the JS SDK's `disableStorageKey`) the key is the whole relative path, no
 * prefix: a later upload of the same path then replaces the stored object. Without a
 * relativePath `store.path` is sent as given.
 */

/** Storage back ends a store object may name (spec §3.6). */
export const STORE_LOCATIONS = FILESTACK_STORE_LOCATIONS;
export type StoreLocation = (typeof STORE_LOCATIONS)[number];

/** ACL values of `store.access`. */
export const STORE_ACCESS = ['public', 'private'] as const;
export type StoreAccess = (typeof STORE_ACCESS)[number];

/** The provider option `store`. */
export type StoreOptions = {
  readonly location?: StoreLocation;
  readonly path?: string;
  readonly container?: string;
  readonly region?: string;
  readonly access?: StoreAccess;
  readonly workflows?: readonly string[];
};

/** `upload_tags`: sent top level, on complete only. */
export type UploadTags = Readonly<Record<string, string>>;

/** Python SDK limits on upload tags (spec §3.5). */
export const UPLOAD_TAG_LIMITS = { maxKeys: 10, maxKeyLength: 128, maxValueLength: 256 } as const;

/** The `store` object as sent on start, upload, commit and complete (location always present). */
export type WireStore = {
  readonly location: StoreLocation;
  readonly path?: string;
  readonly container?: string;
  readonly region?: string;
  readonly access?: StoreAccess;
  readonly workflows?: readonly string[];
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Normalises a location (Python sends `S3`); null when it is not one Filestack knows. */
export function storeLocation(value: unknown): StoreLocation | null {
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return (STORE_LOCATIONS as readonly string[]).includes(lower) ? (lower as StoreLocation) : null;
}

/** Workflow ids from a `workflows` list: plain ids or JS-style `{id}` objects; null when malformed. */
export function workflowIds(list: unknown): string[] | null {
  if (!Array.isArray(list)) return null;
  const ids: string[] = [];
  for (const item of list) {
    const id = typeof item === 'string' ? item : isRecord(item) ? item.id : undefined;
    if (typeof id !== 'string' || id === '') return null;
    ids.push(id);
  }
  return ids;
}

/** The first problem of a store object (client option or request body), or null. */
export function storeProblem(store: unknown): string | null {
  if (store === undefined) return null;
  if (!isRecord(store)) return 'store must be an object.';
  if (store.location !== undefined && storeLocation(store.location) === null) {
    return `store.location must be one of ${STORE_LOCATIONS.join(', ')}.`;
  }
  if (store.access !== undefined && !(STORE_ACCESS as readonly unknown[]).includes(store.access)) return 'store.access must be "public" or "private".';
  for (const key of ['path', 'container', 'region'] as const) {
    if (store[key] !== undefined && typeof store[key] !== 'string') return `store.${key} must be a string.`;
  }
  if (store.workflows !== undefined && workflowIds(store.workflows) === null) return 'store.workflows must be a list of workflow ids.';
  return null;
}

/** The first problem of an `upload_tags` object (≤ 10 keys, key ≤ 128, value ≤ 256 chars), or null. */
export function uploadTagsProblem(tags: unknown): string | null {
  if (tags === undefined) return null;
  if (!isRecord(tags)) return 'upload_tags must be an object of strings.';
  const entries = Object.entries(tags);
  if (entries.length > UPLOAD_TAG_LIMITS.maxKeys) return `upload_tags has ${entries.length} keys; at most ${UPLOAD_TAG_LIMITS.maxKeys} are allowed.`;
  for (const [k, v] of entries) {
    if (k === '' || k.length > UPLOAD_TAG_LIMITS.maxKeyLength) return `upload_tags key "${k.slice(0, 40)}" must be 1–${UPLOAD_TAG_LIMITS.maxKeyLength} characters.`;
    if (typeof v !== 'string') return `upload_tags value of "${k}" must be a string.`;
    if (v.length > UPLOAD_TAG_LIMITS.maxValueLength) return `upload_tags value of "${k}" is longer than ${UPLOAD_TAG_LIMITS.maxValueLength} characters.`;
  }
  return null;
}

const badRequest = (message: string): FerryError => new FerryError(appError('bad_request', message, { retryable: false }));

/**
 * The `store.path` for a job: `base` alone without a relativePath; else `base` as a folder plus
 * the relativePath's folders, ending in `/` (the server adds `<random>_<filename>`), or plus the
 * whole relativePath when `exact`. The relativePath loses empty, `.` and `..` segments; a `..`
 * segment in `base` is refused (bad_request); runs of `/` collapse.
 */
export function storedPath(base: string | undefined, relativePath: string | null, exact = false): string | undefined {
  if (base !== undefined && base.split('/').includes('..')) throw badRequest(`store.path "${base}" must not contain "..".`);
  const segments = (relativePath ?? '').split(/[/\\]+/).filter((s) => s !== '' && s !== '.' && s !== '..');
  if (segments.length === 0) return base === '' ? undefined : base;
  const rel = exact ? segments.join('/') : segments.slice(0, -1).map((s) => `${s}/`).join('');
  const joined = base === undefined || base === '' ? rel : `${base}/${rel}`;
  // Only a file at the top of a dropped folder: no folder to add, the base (if any) as a folder.
  const path = !exact && rel === '' ? (base === undefined || base === '' ? '' : `${base}/`) : joined;
  return path === '' ? undefined : path.replace(/\/{2,}/g, '/');
}

/** Store and tag options as given to the provider. */
export type StoreConfigOptions = {
  readonly store?: StoreOptions;
  readonly uploadTags?: UploadTags;
  readonly pathFromRelativePath?: boolean;
  /** The relativePath is the whole key, no random prefix (a repeat upload replaces the object). */
  readonly exactKeys?: boolean;
};

/**
 * Validates the options and builds what one upload sends: the store object (location defaults
 * to `s3`) and the upload tags. Throws a typed bad_request before any request is made.
 */
export function storeWireConfig(opts: StoreConfigOptions, source: { readonly relativePath: string | null }): { store: WireStore; uploadTags?: UploadTags } {
  const problem = storeProblem(opts.store) ?? uploadTagsProblem(opts.uploadTags);
  if (problem !== null) throw badRequest(problem);
  const s = opts.store ?? {};
  const path = storedPath(s.path, opts.pathFromRelativePath === false ? null : source.relativePath, opts.exactKeys === true);
  const store: WireStore = {
    location: storeLocation(s.location ?? 's3') ?? 's3',
    ...(path !== undefined ? { path } : {}),
    ...(s.container !== undefined ? { container: s.container } : {}),
    ...(s.region !== undefined ? { region: s.region } : {}),
    ...(s.access !== undefined ? { access: s.access } : {}),
    ...(s.workflows !== undefined && s.workflows.length > 0 ? { workflows: [...s.workflows] } : {}),
  };
  return { store, ...(opts.uploadTags !== undefined && Object.keys(opts.uploadTags).length > 0 ? { uploadTags: { ...opts.uploadTags } } : {}) };
}
