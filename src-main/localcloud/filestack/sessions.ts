import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Storage, FinishedTemp } from '../storage.js';
import { HttpError } from '../router.js';
import { partRefSchema } from './body.js';

/**
 * Multipart upload sessions on disk: `uploads/<upload_id>/session.json` plus one `<n>.part`
 * blob and `<n>.json` record per received part. Sessions survive a server restart, so a
 * client can resume or repeat a complete after the app was killed.
 */

export const completeResultSchema = z.object({
  handle: z.string(),
  url: z.string(),
  filename: z.string(),
  size: z.number(),
  mimetype: z.string(),
  status: z.string(),
  /** Lowercase hex MD5 of the stored bytes (a local-cloud addition; Filestack does not send it). */
  md5: z.string().optional(),
  key: z.string(),
  container: z.string(),
  upload_tags: z.record(z.string(), z.string()).optional(),
  workflows: z.array(z.string()).optional(),
});
export type CompleteResult = z.infer<typeof completeResultSchema>;

export const sessionSchema = z.object({
  uploadId: z.string(),
  apikey: z.string(),
  uri: z.string(),
  region: z.string(),
  filename: z.string(),
  mimetype: z.string(),
  size: z.number(),
  key: z.string(),
  path: z.string().nullable(),
  container: z.string(),
  location: z.string(),
  /** Store options of start (spec §3.6), kept for the stored file; `region` above is the upload's. */
  storeRegion: z.string().optional(),
  access: z.enum(['public', 'private']).optional(),
  workflows: z.array(z.string()).optional(),
  createdAt: z.number(),
  /** Intelligent ingestion was granted at start (chunks + commits, fii-*.ts). */
  fii: z.boolean().optional(),
  /** Parts list of the first complete call that was answered 202 (reused by `parts: null` polls). */
  pendingParts: z.array(partRefSchema).optional(),
  /** Set once completed; repeated completes answer it again. */
  result: completeResultSchema.optional(),
});
export type UploadSession = z.infer<typeof sessionSchema>;

export const partRecordSchema = z.object({ part: z.number(), size: z.number(), md5: z.string() });
/** One received part; `md5` is lowercase hex (the ETag without quotes). */
export type PartRecord = z.infer<typeof partRecordSchema>;

const sessionFile = (storage: Storage, uploadId: string): string => path.join(storage.uploadDir(uploadId), 'session.json');

/** Loads a session; unknown (or malformed) id → null. */
export async function loadSession(storage: Storage, uploadId: string): Promise<UploadSession | null> {
  let text: string;
  try {
    text = await readFile(sessionFile(storage, uploadId), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Loads a session for a call that names it. Unknown upload_id → 404 (S3's NoSuchUpload; the
 * client's session is gone, so it must start over rather than fix its request). A known id
 * with a different apikey/uri/region → 400: the caller mixed up sessions.
 */
export async function requireSession(
  storage: Storage,
  keys: { apikey: string; uri: string; region: string; upload_id: string },
): Promise<UploadSession> {
  const idOk = /^[A-Za-z0-9_-]{1,64}$/.test(keys.upload_id);
  const session = idOk ? await loadSession(storage, keys.upload_id) : null;
  if (!session) throw new HttpError(404, 'NoSuchUpload', `Unknown upload_id ${JSON.stringify(keys.upload_id)}.`);
  if (session.apikey !== keys.apikey) throw new HttpError(400, 'bad_request', 'upload_id belongs to another apikey.');
  if (session.uri !== keys.uri) throw new HttpError(400, 'bad_request', 'uri does not match the one returned by /multipart/start.');
  if (session.region !== keys.region) throw new HttpError(400, 'bad_request', 'region does not match the one returned by /multipart/start.');
  return session;
}

/**
 * Writes session.json atomically. `durable: false` (a fresh or 202-pending session) skips the
 * fsync: losing it to a power cut only makes the client start over (404 NoSuchUpload).
 */
export async function saveSession(storage: Storage, session: UploadSession, opts?: { durable?: boolean }): Promise<void> {
  await storage.writeJsonAtomic(sessionFile(storage, session.uploadId), session, opts);
}

/** Moves a received part into the session (replacing an earlier copy of the same part). */
export async function savePart(storage: Storage, uploadId: string, part: number, temp: FinishedTemp): Promise<PartRecord> {
  const dir = storage.uploadDir(uploadId);
  const record: PartRecord = { part, size: temp.size, md5: temp.md5 };
  await rename(temp.path, path.join(dir, `${part}.part`));
  // Not fsynced (nor is the part): parts are scratch until complete, which fsyncs the assembled
  // file once, and assembly checks every part's length, so a part lost to a power cut is refused.
  await storage.writeJsonAtomic(path.join(dir, `${part}.json`), record, { durable: false });
  return record;
}

export function partPath(storage: Storage, uploadId: string, part: number): string {
  return path.join(storage.uploadDir(uploadId), `${part}.part`);
}

/** Received parts by number. */
export async function listParts(storage: Storage, uploadId: string): Promise<Map<number, PartRecord>> {
  const dir = storage.uploadDir(uploadId);
  const out = new Map<number, PartRecord>();
  for (const name of await readdir(dir)) {
    if (!/^\d+\.json$/.test(name)) continue;
    try {
      const parsed = partRecordSchema.safeParse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
      if (parsed.success) out.set(parsed.data.part, parsed.data);
    } catch {
      // A torn record means the part was never confirmed; the client re-sends it.
    }
  }
  return out;
}

/** Drops the part blobs after assembly; session.json stays so completes stay idempotent. */
export async function dropParts(storage: Storage, uploadId: string): Promise<void> {
  const dir = storage.uploadDir(uploadId);
  for (const name of await readdir(dir)) {
    if (name !== 'session.json') await rm(path.join(dir, name), { force: true });
  }
}
