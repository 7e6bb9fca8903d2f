import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { HttpError } from '../router.js';
import type { FinishedTemp, Storage } from '../storage.js';
import type { UploadSession } from './sessions.js';

/**
 * On-disk state of intelligent-ingestion uploads, next to the regular parts in
 * `uploads/<upload_id>/`: `c<part>-<offset>.chunk|json` per received chunk (a re-sent chunk at
 * the same offset replaces the old one) and `f<part>.part|json` per committed part. Records are
 * written after their blobs, so a record always describes a complete blob. dropParts() clears
 * all of it after assembly.
 */

/** Every SDK sends fixed 8 MiB parts in FII mode (spec §4.1); the server relies on it to check commits. */
export const FII_PART_SIZE = 8 * 1024 * 1024;

const chunkRecordSchema = z.object({ part: z.number(), offset: z.number(), size: z.number(), md5: z.string() });
export type ChunkRecord = z.infer<typeof chunkRecordSchema>;
const committedSchema = z.object({ part: z.number(), size: z.number(), md5: z.string() });
/** A committed part; `md5` is lowercase hex of its bytes. */
export type CommittedPart = z.infer<typeof committedSchema>;

/** Number of 8 MiB parts of the upload. */
export function fiiPartCount(session: UploadSession): number {
  return Math.ceil(session.size / FII_PART_SIZE);
}

/** Byte length of part `part` (1-based); 400 when the upload has no such part. */
export function fiiPartLength(session: UploadSession, part: number): number {
  const count = fiiPartCount(session);
  if (part < 1 || part > count) throw new HttpError(400, 'bad_request', `part ${part} is out of range: a ${session.size}-byte upload has ${count} parts of 8 MiB.`);
  return Math.min(FII_PART_SIZE, session.size - (part - 1) * FII_PART_SIZE);
}

const dirOf = (storage: Storage, uploadId: string): string => storage.uploadDir(uploadId);

export function chunkPath(storage: Storage, uploadId: string, part: number, offset: number): string {
  return path.join(dirOf(storage, uploadId), `c${part}-${offset}.chunk`);
}

export function committedPath(storage: Storage, uploadId: string, part: number): string {
  return path.join(dirOf(storage, uploadId), `f${part}.part`);
}

/** Moves a received chunk into place (replacing an earlier one at the same offset), record last. */
export async function saveChunk(storage: Storage, uploadId: string, part: number, offset: number, temp: FinishedTemp): Promise<ChunkRecord> {
  const record: ChunkRecord = { part, offset, size: temp.size, md5: temp.md5 };
  await rename(temp.path, chunkPath(storage, uploadId, part, offset));
  await storage.writeJsonAtomic(path.join(dirOf(storage, uploadId), `c${part}-${offset}.json`), record);
  return record;
}

async function readRecords<T>(dir: string, pattern: RegExp, schema: z.ZodType<T>): Promise<T[]> {
  const out: T[] = [];
  for (const name of await readdir(dir)) {
    if (!pattern.test(name)) continue;
    try {
      const parsed = schema.safeParse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // Torn or vanished record: that chunk or part was never confirmed.
    }
  }
  return out;
}

/** Received chunks of one part by offset. */
export async function listChunks(storage: Storage, uploadId: string, part: number): Promise<Map<number, ChunkRecord>> {
  const records = await readRecords(dirOf(storage, uploadId), new RegExp(`^c${part}-\\d+\\.json$`), chunkRecordSchema);
  return new Map(records.map((r) => [r.offset, r]));
}

/** Committed parts by number. */
export async function listCommitted(storage: Storage, uploadId: string): Promise<Map<number, CommittedPart>> {
  const records = await readRecords(dirOf(storage, uploadId), /^f\d+\.json$/, committedSchema);
  return new Map(records.map((r) => [r.part, r]));
}

/** Moves an assembled part into place, record last, then drops its chunks. */
export async function saveCommitted(storage: Storage, uploadId: string, part: number, temp: FinishedTemp): Promise<CommittedPart> {
  const record: CommittedPart = { part, size: temp.size, md5: temp.md5 };
  await rename(temp.path, committedPath(storage, uploadId, part));
  await storage.writeJsonAtomic(path.join(dirOf(storage, uploadId), `f${part}.json`), record);
  const dir = dirOf(storage, uploadId);
  for (const name of await readdir(dir)) {
    if (name.startsWith(`c${part}-`)) await rm(path.join(dir, name), { force: true });
  }
  return record;
}

/** A presigned chunk PUT: like presign.ts for parts, with the offset signed too. */
export type ChunkGrant = { uploadId: string; part: number; offset: number; size: number; md5: string | null; expires: number };

function mac(key: Buffer, g: ChunkGrant): string {
  return createHmac('sha256', key).update(`fii\n${g.uploadId}\n${g.part}\n${g.offset}\n${g.size}\n${g.md5 ?? ''}\n${g.expires}`).digest('hex');
}

/** PUT URL for one chunk: `/s3/<upload_id>/<part>/<offset>?size&expires[&md5]&sig`. */
export function signChunkUrl(baseUrl: string, key: Buffer, g: ChunkGrant): string {
  const q = new URLSearchParams({ size: String(g.size), expires: String(g.expires) });
  if (g.md5 !== null) q.set('md5', g.md5);
  q.set('sig', mac(key, g));
  return `${baseUrl}/s3/${encodeURIComponent(g.uploadId)}/${g.part}/${g.offset}?${q.toString()}`;
}

/** Checks a chunk URL; a bad or expired signature → 403 like S3. */
export function verifyChunkUrl(key: Buffer, at: { uploadId: string; part: number; offset: number }, q: URLSearchParams, nowSec: number): ChunkGrant {
  const grant: ChunkGrant = { ...at, size: Number(q.get('size')), md5: q.get('md5'), expires: Number(q.get('expires')) };
  const expected = Buffer.from(mac(key, grant), 'utf8');
  const given = Buffer.from(q.get('sig') ?? '', 'utf8');
  if (!Number.isInteger(grant.size) || !Number.isInteger(grant.expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'SignatureDoesNotMatch', 'The chunk URL signature is invalid; request a new URL from /multipart/upload.');
  }
  if (grant.expires < nowSec) throw new HttpError(403, 'AccessDenied', 'The chunk URL has expired; request a new one from /multipart/upload.');
  return grant;
}
