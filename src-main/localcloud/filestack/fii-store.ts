import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../router.js';
import type { UploadSession } from './sessions.js';

/**
 * Intelligent-ingestion layout and chunk URLs. Chunks are written in place in the upload's data
 * file (part p's chunk at offset o lands at (p − 1) × 8 MiB + o) and journalled with the
 * session (sessions.ts), so a commit only checks that the chunks cover the part: no copy.
 */

/** Every SDK sends fixed 8 MiB parts in FII mode (spec §4.1); the server relies on it to check commits. */
export const FII_PART_SIZE = 8 * 1024 * 1024;

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

/** Where chunk bytes at `offset` of FII part `part` go in the data file. */
export function fiiPosition(part: number, offset: number): number {
  return (part - 1) * FII_PART_SIZE + offset;
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
