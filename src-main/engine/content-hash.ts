import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appError, FerryError } from '../../src-shared/errors.js';

/** Digests of one streaming read of a file. Hex strings are lowercase. */
export type ContentDigest = { readonly sha256: string; readonly md5: string; readonly size: number };

/**
 * Streams a file once through SHA-256 (the dedupe key) and MD5 (what the server reports, so we
 * can tell the bytes we hashed are the bytes that were stored). Memory stays at one read buffer
 * whatever the size; `signal` stops the read.
 */
export async function hashContent(path: string, signal: AbortSignal): Promise<ContentDigest> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal }) as AsyncIterable<Buffer>) {
      sha256.update(chunk);
      md5.update(chunk);
      size += chunk.length;
    }
  } catch (thrown) {
    if (signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
    throw thrown;
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}
