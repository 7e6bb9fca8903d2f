import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { appError, FerryError } from '../../../src-shared/errors.js';

/** Maps fs errors reading the source to Ferry's file error codes. */
export function fileError(err: unknown, filePath: string): FerryError {
  if (err instanceof FerryError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new FerryError(appError('file_changed', `The file is gone: ${filePath}`, { retryable: false }));
  if (code === 'EACCES' || code === 'EPERM' || code === 'EBUSY') {
    return new FerryError(appError('permission', `Cannot read ${filePath} (${code}).`, { retryable: false }));
  }
  if (code === 'EISDIR') return new FerryError(appError('not_a_file', `${filePath} is a folder.`, { retryable: false }));
  return new FerryError(appError('internal', `Reading ${filePath} failed: ${(err as Error)?.message ?? String(err)}`));
}

/**
 * Reads exactly `length` bytes at `offset` (one part) without loading the rest of the file.
 * A short read means the file shrank under us → `file_changed`.
 */
export async function readRange(filePath: string, offset: number, length: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(filePath, 'r');
  } catch (err) {
    throw fileError(err, filePath);
  }
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== length) {
      throw new FerryError(appError('file_changed', `The file got shorter while uploading (${filePath}).`, { retryable: false }));
    }
    return buf;
  } catch (err) {
    throw fileError(err, filePath);
  } finally {
    await fh.close();
  }
}

/** Streams the file through MD5 (lowercase hex) and counts its bytes; honours `signal`. */
export async function md5OfFile(filePath: string, signal?: AbortSignal): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  try {
    for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    if (signal?.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
    throw fileError(err, filePath);
  }
  return { md5: hash.digest('hex'), size };
}
