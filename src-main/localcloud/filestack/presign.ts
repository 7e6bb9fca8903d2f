import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../router.js';

/**
 * Presigned part URLs, the emulator's stand-in for S3 presigned PUTs: the server signs upload
 * id, part number, size, Content-MD5 and expiry with a per-process key, so a PUT cannot change
 * any of them without the signature failing.
 */

/** How long a part URL stays valid (S3 presigned URLs from Filestack last about this long). */
export const PART_URL_TTL_SECONDS = 3600;

export type PartGrant = { uploadId: string; part: number; size: number; md5: string | null; expires: number };

function mac(key: Buffer, g: PartGrant): string {
  return createHmac('sha256', key).update(`${g.uploadId}\n${g.part}\n${g.size}\n${g.md5 ?? ''}\n${g.expires}`).digest('hex');
}

/** Builds the PUT URL for a part under `baseUrl`. */
export function signPartUrl(baseUrl: string, key: Buffer, g: PartGrant): string {
  const q = new URLSearchParams({ size: String(g.size), expires: String(g.expires) });
  if (g.md5 !== null) q.set('md5', g.md5);
  q.set('sig', mac(key, g));
  return `${baseUrl}/s3/${encodeURIComponent(g.uploadId)}/${g.part}?${q.toString()}`;
}

/** Checks a part URL's query; a bad or expired signature → 403 like S3. */
export function verifyPartUrl(key: Buffer, uploadId: string, part: number, q: URLSearchParams, nowSec: number): PartGrant {
  const size = Number(q.get('size'));
  const expires = Number(q.get('expires'));
  const sig = q.get('sig') ?? '';
  const grant: PartGrant = { uploadId, part, size, md5: q.get('md5'), expires };
  const expected = Buffer.from(mac(key, grant), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  if (!Number.isInteger(size) || !Number.isInteger(expires) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'SignatureDoesNotMatch', 'The part URL signature is invalid; request a new URL from /multipart/upload.');
  }
  if (expires < nowSec) throw new HttpError(403, 'AccessDenied', 'The part URL has expired; request a new one from /multipart/upload.');
  return grant;
}
