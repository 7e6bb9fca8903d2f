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
  const md5 = md5ToHex(parsed.data.md5);
  if (parsed.data.size !== expected.size || md5 !== expected.md5) {
    throw new FerryError(
      appError('integrity', `Stored file does not match the source (size ${parsed.data.size} vs ${expected.size}, md5 ${md5 ?? parsed.data.md5} vs ${expected.md5}).`, {
        retryable: false,
        details: { storedSize: parsed.data.size, sourceSize: expected.size },
      }),
    );
  }
  return { ...parsed.data, md5 };
}
