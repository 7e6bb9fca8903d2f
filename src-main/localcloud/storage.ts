import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { md5OfFile } from './file-md5.js';
import { positionalSink } from './file-sink.js';

/** Metadata kept beside each stored blob (`files/<handle>.json`). Times are epoch ms. */
export const storedFileSchema = z.object({
  handle: z.string(),
  filename: z.string(),
  mimetype: z.string(),
  size: z.number().int().nonnegative(),
  /**
   * Lowercase hex MD5 of the stored bytes. A multipart upload leaves it out (its complete answers
   * the composite `etag` of the part MD5s, which is all the client checks); the first reader
   * that needs it (File API `md5`, `md5Of`) hashes the blob once and caches it here.
   */
  md5: z.string().optional(),
  /** S3-style ETag of a multipart upload's pieces (`<md5 of part MD5s>-<count>`), when uploaded that way. */
  etag: z.string().optional(),
  /**
   * Lowercase hex SHA-256, when the writer computed it. Multipart uploads do not (a second hash
   * of every byte on the upload path); the File API computes it on demand.
   */
  sha256: z.string().optional(),
  uploadedAt: z.number(),
  apikey: z.string(),
  /** Storage key ("path" inside the container). */
  key: z.string(),
  path: z.string().nullable(),
  container: z.string(),
  location: z.string(),
  uploadTags: z.record(z.string(), z.string()).optional(),
  /** Store options kept as given (spec §3.6); the local cloud has one region and no ACLs to apply. */
  region: z.string().optional(),
  access: z.enum(['public', 'private']).optional(),
  /** Workflow ids the upload asked to run (recorded and echoed; the local cloud runs none). */
  workflows: z.array(z.string()).optional(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

/** What a caller supplies when committing a file; digests and size come from the bytes. */
export type NewFileMeta = Omit<StoredFile, 'handle' | 'size' | 'md5' | 'sha256' | 'uploadedAt'> & { handle?: string };

/** A stored file whose MD5 is known. */
export type StoredFileWithMd5 = StoredFile & { readonly md5: string };

/**
 * A tag that changes whenever the stored bytes do and never otherwise, without hashing them: the
 * multipart ETag when the file came that way (fixed at upload), else the MD5 its writer computed.
 * For render cache keys, so rendering a big upload never waits for a whole-file hash.
 */
export function contentTag(file: StoredFile): string {
  return file.etag ?? file.md5 ?? `${file.size}-${file.uploadedAt}`;
}

/**
 * A fully written, closed temp file and the digests of its bytes (`sha256` is '' when the writer
 * was asked for MD5 only; `md5` is '' when nobody hashed the bytes in order: md5Of does later). It is fsynced only when committed: parts and chunks are scratch data
 * that is deleted after assembly, and syncing each one doubled the disk writes of an upload.
 */
export type FinishedTemp = {
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
  /** Already on disk (`finish({ sync: true })`, or synced by its writer): commit() need not sync it again. */
  readonly synced?: boolean;
};

/** What one upload folder holds: `lastActivityMs` is the newest mtime of the folder and its files. */
export type UploadUsage = { readonly uploadId: string; readonly bytes: number; readonly lastActivityMs: number };

/** `sha256: false` skips the SHA-256 (multipart parts only need the MD5 for their ETag). */
export type TempWriterOptions = { readonly sha256?: boolean };

/** Streams bytes into a temp file while hashing them. */
export interface TempWriter {
  readonly path: string;
  write(chunk: Buffer): Promise<void>;
  /**
   * Closes the file. No fsync unless `sync` (for a temp that surely becomes a stored file: one
   * open fewer than commit() syncing it); parts and chunks are scratch data and are not synced.
   */
  finish(opts?: { sync?: boolean }): Promise<FinishedTemp>;
  /** Closes and deletes the temp file (after a failure). */
  discard(): Promise<void>;
}

/** The local cloud's blob store. Files appear atomically: a blob is served only once its metadata exists. */
export interface Storage {
  readonly dataDir: string;
  /** Scratch folder on the same disk (temp writers, render stages); emptied at every start. */
  readonly tmpDir: string;
  newHandle(): string;
  createTempWriter(opts?: TempWriterOptions): Promise<TempWriter>;
  /**
   * fsyncs the temp file (unless `temp.synced`: it already is), renames it into place and
   * writes its metadata (fsynced: the commit point). `temp.sha256 === ''` stores no SHA-256.
   */
  commit(temp: FinishedTemp, meta: NewFileMeta): Promise<StoredFile>;
  /** Convenience for small in-memory files (other front ends). */
  putBuffer(bytes: Buffer, meta: NewFileMeta): Promise<StoredFile>;
  get(handle: string): Promise<StoredFile | null>;
  /**
   * The file's MD5: the cached one, else the blob hashed once (in order, 1 MiB reads) and cached
   * in its metadata, so the cost falls on the first reader that asks, never on the upload.
   */
  md5Of(file: StoredFile): Promise<StoredFileWithMd5>;
  blobPath(handle: string): string;
  remove(handle: string): Promise<boolean>;
  /** Directory for one in-progress multipart upload's parts; created on demand. */
  uploadDir(uploadId: string): string;
  removeUpload(uploadId: string): Promise<void>;
  /** Hears every removeUpload (e.g. session expiry), so state kept in memory about it can go too. */
  onUploadRemoved(listener: (uploadId: string) => void): void;
  /** Every upload folder with the bytes it holds and when it last changed (for session GC). */
  listUploads(): Promise<UploadUsage[]>;
  /** `durable: false` skips the fsync, for records a restart can lose without harm (part records, a fresh session). */
  writeJsonAtomic(file: string, value: unknown, opts?: { durable?: boolean }): Promise<void>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HANDLE_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A random id of [A-Za-z0-9] characters (handles are 20). */
export function randomId(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/**
 * Writes `bytes` to `file` via temp file + rename so readers never see half a file; fsynced before
 * the rename unless `durable` is false (then a power cut may lose the record, never tear it).
 */
export async function writeFileAtomic(file: string, bytes: Buffer | string, durable = true): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** Bytes per write of a temp file. */
const TEMP_BATCH_BYTES = 256 * 1024;

/** fsyncs a file's data. */
export async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
/** Options of {@link createStorage}. */
export type StorageOptions = {
  /** Former app key → current one: records written under a former key read back under the current key. */
  readonly keyAliases?: ReadonlyMap<string, string>;
};

/** Opens (creating folders) the store under `dataDir`. */
export async function createStorage(dataDir: string, opts: StorageOptions = {}): Promise<Storage> {
  const aliases = opts.keyAliases ?? new Map<string, string>();
  const filesDir = path.join(dataDir, 'files');
  const uploadsDir = path.join(dataDir, 'uploads');
  const tmpDir = path.join(dataDir, 'tmp');
  await Promise.all([mkdir(filesDir, { recursive: true }), mkdir(uploadsDir, { recursive: true }), mkdir(tmpDir, { recursive: true })]);
  // Leftovers of a crash mid-write are never referenced by metadata; drop them.
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  const checkId = (id: string): string => {
    if (!HANDLE_RE.test(id)) throw new Error(`Invalid id: ${id}`);
    return id;
  };
  const metaPath = (handle: string): string => path.join(filesDir, `${checkId(handle)}.json`);

  const uploadListeners: ((uploadId: string) => void)[] = [];
  const hashing = new Map<string, Promise<string>>();
  const storage: Storage = {
    dataDir,
    tmpDir,
    newHandle: () => randomId(20),
    async createTempWriter(opts = {}) {
      const file = path.join(tmpDir, randomId(16));
      const fh = await open(file, 'w');
      // Small writes: a temp file fills as its request arrives (an upload form streams into it).
      const sink = positionalSink(fh, 0, TEMP_BATCH_BYTES);
      const md5 = createHash('md5');
      const sha256 = opts.sha256 === false ? null : createHash('sha256');
      let closed = false;
      return {
        path: file,
        async write(chunk) {
          md5.update(chunk);
          sha256?.update(chunk);
          await sink.write(chunk);
        },
        async finish({ sync = false } = {}) {
          await sink.end();
          if (sync) await fh.sync();
          await fh.close();
          closed = true;
          return { path: file, size: sink.accepted, md5: md5.digest('hex'), sha256: sha256?.digest('hex') ?? '', ...(sync ? { synced: true } : {}) };
        },
        async discard() {
          if (!closed) {
            // Let queued writes settle before closing the handle they use.
            await sink.end().catch(() => undefined);
            await fh.close().catch(() => undefined);
          }
          closed = true;
          await rm(file, { force: true });
        },
      };
    },
    async commit(temp, meta) {
      const handle = checkId(meta.handle ?? storage.newHandle());
      const record: StoredFile = {
        ...meta,
        handle,
        size: temp.size,
        ...(temp.md5 !== '' ? { md5: temp.md5 } : {}),
        ...(temp.sha256 !== '' ? { sha256: temp.sha256 } : {}),
        uploadedAt: Date.now(),
      };
      // The one data fsync of an upload: the stored bytes must be on disk before they are visible.
      if (temp.synced !== true) await syncFile(temp.path);
      await rename(temp.path, path.join(filesDir, handle));
      // Metadata last: its presence is what makes the file visible.
      await writeFileAtomic(metaPath(handle), JSON.stringify(record));
      return record;
    },
    async putBuffer(bytes, meta) {
      const w = await storage.createTempWriter();
      try {
        await w.write(bytes);
        return await storage.commit(await w.finish({ sync: true }), meta);
      } catch (err) {
        await w.discard();
        throw err;
      }
    },
    async get(handle) {
      if (!HANDLE_RE.test(handle)) return null;
      let text: string;
      try {
        text = await readFile(metaPath(handle), 'utf8');
      } catch {
        return null;
      }
      const parsed = storedFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return null;
      const current = aliases.get(parsed.data.apikey);
      return current === undefined ? parsed.data : { ...parsed.data, apikey: current };
    },
    async md5Of(file) {
      if (file.md5 !== undefined) return { ...file, md5: file.md5 };
      // One hash per blob however many readers ask at once.
      let pending = hashing.get(file.handle);
      if (!pending) {
        pending = md5OfFile(storage.blobPath(file.handle)).finally(() => hashing.delete(file.handle));
        hashing.set(file.handle, pending);
      }
      const md5 = await pending;
      // Cache it unless the file was removed meanwhile (writing would bring its metadata back).
      // Not fsynced: a cache lost to a power cut is just computed again.
      // The record as written (get() would show an aliased apikey); same upload, still without an MD5.
      const raw = await readFile(metaPath(file.handle), 'utf8').catch(() => null);
      const now = raw === null ? null : storedFileSchema.safeParse(JSON.parse(raw));
      if (now?.success && now.data.md5 === undefined && now.data.uploadedAt === file.uploadedAt) {
        await writeFileAtomic(metaPath(file.handle), JSON.stringify({ ...now.data, md5 }), false);
      }
      return { ...file, md5 };
    },
    blobPath: (handle) => path.join(filesDir, checkId(handle)),
    async remove(handle) {
      const existing = await storage.get(handle);
      if (!existing) return false;
      await rm(metaPath(handle), { force: true });
      await rm(path.join(filesDir, handle), { force: true });
      return true;
    },
    uploadDir: (uploadId) => path.join(uploadsDir, checkId(uploadId)),
    async removeUpload(uploadId) {
      for (const listener of uploadListeners) listener(uploadId);
      await rm(storage.uploadDir(uploadId), { recursive: true, force: true });
    },
    onUploadRemoved: (listener) => void uploadListeners.push(listener),
    async listUploads() {
      const out: UploadUsage[] = [];
      for (const uploadId of await readdir(uploadsDir).catch(() => [])) {
        if (!HANDLE_RE.test(uploadId)) continue;
        const dir = path.join(uploadsDir, uploadId);
        // A folder removed meanwhile (completed, swept) simply drops out.
        const own = await stat(dir).catch(() => null);
        if (!own?.isDirectory()) continue;
        let bytes = 0;
        let last = own.mtimeMs;
        for (const name of await readdir(dir).catch(() => [])) {
          const s = await stat(path.join(dir, name)).catch(() => null);
          if (!s) continue;
          bytes += s.size;
          last = Math.max(last, s.mtimeMs);
        }
        out.push({ uploadId, bytes, lastActivityMs: last });
      }
      return out;
    },
    writeJsonAtomic: (file, value, opts) => writeFileAtomic(file, JSON.stringify(value), opts?.durable ?? true),
  };
  return storage;
}
