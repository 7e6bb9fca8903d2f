import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { jsonRequest } from '../../net/http.js';

const metadataSchema = z.object({
  size: z.number().int().nonnegative(),
  md5: z.string().min(1),
  mimetype: z.string().optional(),
  filename: z.string().optional(),
});
export type VerifiedMetadata = z.infer<typeof metadataSchema>;

/** File API root: the spec's `.../api/file`; a bare origin (the local cloud's base URL) gets it appended. */
export function fileApiRoot(fileApiBase: string): string {
  const base = fileApiBase.replace(/\/+$/, '');
  return /\/api\/file$/.test(base) ? base : `${base}/api/file`;
}

/** Normalises an MD5 reported as hex or base64 to lowercase hex; null if it is neither. */
export function md5ToHex(value: string): string | null {
  if (/^[0-9a-fA-F]{32}$/.test(value)) return value.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{22}(==)?$/.test(value)) {
    const bytes = Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    return bytes.length === 16 ? bytes.toString('hex') : null;
  }
  return null;
}

/** Compares a reported size and MD5 with the source; a mismatch is a non-retryable `integrity` error. */
function compareStored(reported: VerifiedMetadata, expected: { size: number; md5: string }): VerifiedMetadata {
  const md5 = md5ToHex(reported.md5);
  if (reported.size !== expected.size || md5 !== expected.md5) {
    throw new FerryError(
      appError('integrity', `Stored file does not match the source (size ${reported.size} vs ${expected.size}, md5 ${md5 ?? reported.md5} vs ${expected.md5}).`, {
        retryable: false,
        details: { storedSize: reported.size, sourceSize: expected.size },
      }),
    );
  }
  return { ...reported, md5 };
}

/**
 * Verifies from the complete answer when it carries the stored size and MD5 (the local cloud
 * adds them; Filestack's complete does not), saving the metadata round trip. Returns null when
 * the answer cannot verify: the caller then asks the File API (verifyStored).
 */
export function verifyFromComplete(complete: { size?: number | undefined; md5?: string | undefined }, expected: { size: number; md5: string }): VerifiedMetadata | null {
  if (complete.size === undefined || complete.md5 === undefined || md5ToHex(complete.md5) === null) return null;
  return compareStored({ size: complete.size, md5: complete.md5 }, expected);
}

/**
 * The S3-style multipart ETag of what we sent: hex MD5 of the pieces' MD5s (raw bytes, in file
 * order: one per part, one per chunk of an FII part), `-` and their count. The local cloud's
 * complete answer carries the same figure for what it received (its `etag`).
 */
export function compositeEtag(md5sBase64: readonly string[]): string {
  const h = createHash('md5');
  for (const m of md5sBase64) h.update(Buffer.from(m, 'base64'));
  return `${h.digest('hex')}-${md5sBase64.length}`;
}

/**
 * Verifies from a complete answer's size and composite ETag: each piece the server received
 * hashes to what we read from the source, in order, adding up to the size — the same check a
 * whole-file MD5 makes when the server hashes what it receives, without hashing the file a
 * second time on either side. Null when the answer carries no ETag (the caller then compares
 * whole-file MD5s); a mismatch is a non-retryable `integrity` error.
 */
export function verifyFromEtag(complete: { size?: number | undefined; etag?: string | undefined; md5?: string | undefined }, expected: { size: number; etag: string }): VerifiedMetadata | null {
  if (complete.size === undefined || complete.etag === undefined) return null;
  const etag = complete.etag.replace(/"/g, '').toLowerCase();
  if (complete.size !== expected.size || etag !== expected.etag) {
    throw new FerryError(
      appError('integrity', `Stored file does not match the source (size ${complete.size} vs ${expected.size}, parts ${etag} vs ${expected.etag}).`, {
        retryable: false,
        details: { storedSize: complete.size, sourceSize: expected.size },
      }),
    );
  }
  return { size: complete.size, md5: (complete.md5 !== undefined ? md5ToHex(complete.md5) : null) ?? '' };
}

/**
 * Asks the File API for the stored object's size and MD5 and compares them with the source.
 * A mismatch is `integrity` (not retryable here; the engine decides whether to re-upload).
 */
export async function verifyStored(
  opts: { fileApiBase: string; handle: string; security?: { policy: string; signature: string }; signal: AbortSignal; timeoutMs?: number; stallTimeoutMs?: number },
  expected: { size: number; md5: string },
): Promise<VerifiedMetadata> {
  const q = new URLSearchParams({ md5: 'true', size: 'true' });
  if (opts.security) {
    q.set('policy', opts.security.policy);
    q.set('signature', opts.security.signature);
  }
  const res = await jsonRequest({
    method: 'GET',
    url: `${fileApiRoot(opts.fileApiBase)}/${encodeURIComponent(opts.handle)}/metadata?${q.toString()}`,
    signal: opts.signal,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
  });
  const parsed = metadataSchema.safeParse(res.data);
  if (!parsed.success) throw new FerryError(appError('protocol', 'File metadata lacks size or md5; cannot verify the upload.'));
  return compareStored(parsed.data, expected);
}
