import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Metadata kept beside each stored blob (`files/<handle>.json`). Times are epoch ms. */
export const storedFileSchema = z.object({
  handle: z.string(),
  filename: z.string(),
  mimetype: z.string(),
  size: z.number().int().nonnegative(),
  /** Lowercase hex digests of the stored bytes. */
  md5: z.string(),
  sha256: z.string(),
  uploadedAt: z.number(),
  apikey: z.string(),
  /** Storage key ("path" inside the container). */
  key: z.string(),
  path: z.string().nullable(),
  container: z.string(),
  location: z.string(),
  uploadTags: z.record(z.string(), z.string()).optional(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

/** What a caller supplies when committing a file; digests and size come from the bytes. */
export type NewFileMeta = Omit<StoredFile, 'handle' | 'size' | 'md5' | 'sha256' | 'uploadedAt'> & { handle?: string };

/** A fully written, fsynced temp file and the digests of its bytes. */
export type FinishedTemp = { readonly path: string; readonly size: number; readonly md5: string; readonly sha256: string };

/** Streams bytes into a temp file while hashing them. */
export interface TempWriter {
  readonly path: string;
  write(chunk: Buffer): Promise<void>;
  /** fsyncs and closes; the file is then safe to rename into place. */
  finish(): Promise<FinishedTemp>;
  /** Closes and deletes the temp file (after a failure). */
  discard(): Promise<void>;
}

/** The local cloud's blob store. Files appear atomically: a blob is served only once its metadata exists. */
export interface Storage {
  readonly dataDir: string;
  newHandle(): string;
  createTempWriter(): Promise<TempWriter>;
  commit(temp: FinishedTemp, meta: NewFileMeta): Promise<StoredFile>;
  /** Convenience for small in-memory files (other front ends). */
  putBuffer(bytes: Buffer, meta: NewFileMeta): Promise<StoredFile>;
  get(handle: string): Promise<StoredFile | null>;
  blobPath(handle: string): string;
  remove(handle: string): Promise<boolean>;
  /** Directory for one in-progress multipart upload's parts; created on demand. */
  uploadDir(uploadId: string): string;
  removeUpload(uploadId: string): Promise<void>;
  writeJsonAtomic(file: string, value: unknown): Promise<void>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HANDLE_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A random id of [A-Za-z0-9] characters (handles are 20). */
export function randomId(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** Writes `bytes` to `file` via temp file + fsync + rename so readers never see half a file. */
export async function writeFileAtomic(file: string, bytes: Buffer | string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** Opens (creating folders) the store under `dataDir`. */
export async function createStorage(dataDir: string): Promise<Storage> {
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

  const storage: Storage = {
    dataDir,
    newHandle: () => randomId(20),
    async createTempWriter() {
      const file = path.join(tmpDir, randomId(16));
      const fh = await open(file, 'w');
      const md5 = createHash('md5');
      const sha256 = createHash('sha256');
      let size = 0;
      let closed = false;
      return {
        path: file,
        async write(chunk) {
          md5.update(chunk);
          sha256.update(chunk);
          size += chunk.length;
          let off = 0;
          while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
        },
        async finish() {
          await fh.sync();
          await fh.close();
          closed = true;
          return { path: file, size, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
        },
        async discard() {
          if (!closed) await fh.close().catch(() => undefined);
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
        md5: temp.md5,
        sha256: temp.sha256,
        uploadedAt: Date.now(),
      };
      await rename(temp.path, path.join(filesDir, handle));
      // Metadata last: its presence is what makes the file visible.
      await writeFileAtomic(metaPath(handle), JSON.stringify(record));
      return record;
    },
    async putBuffer(bytes, meta) {
      const w = await storage.createTempWriter();
      try {
        await w.write(bytes);
        return await storage.commit(await w.finish(), meta);
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
      return parsed.success ? parsed.data : null;
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
      await rm(storage.uploadDir(uploadId), { recursive: true, force: true });
    },
    writeJsonAtomic: (file, value) => writeFileAtomic(file, JSON.stringify(value)),
  };
  return storage;
}
