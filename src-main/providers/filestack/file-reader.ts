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

/**
 * The whole-file MD5 built from the parts as they are read for upload, so verification needs no
 * second pass over the file. Parts are fed in number order; one read ahead of its predecessor is
 * held (it is in flight anyway) up to `maxHeldBytes`, past which the feed gives up and `result()`
 * is null (the caller then hashes the file). A part fed again (a retry) is ignored: the file
 * guard already checks that a re-read part hashes the same.
 */
export type OrderedMd5 = {
  feed(part: number, bytes: Buffer, partMd5Base64: string): void;
  /** Lowercase hex MD5 once every part was fed in order, else null. */
  result(): string | null;
};

/** Creates the ordered MD5 for `partCount` parts (numbered from 1). */
export function createOrderedMd5(partCount: number, maxHeldBytes: number): OrderedMd5 {
  const hash = createHash('md5');
  const held = new Map<number, Buffer>();
  let heldBytes = 0;
  let next = 1;
  let single: string | null = null;
  let broken = false;
  return {
    feed(part, bytes, partMd5Base64) {
      if (broken || part < next || held.has(part)) return;
      // One part: its own MD5 is the file's.
      if (partCount === 1) {
        single = Buffer.from(partMd5Base64, 'base64').toString('hex');
        next = 2;
        return;
      }
      if (part !== next) {
        if (heldBytes + bytes.length > maxHeldBytes) {
          broken = true;
          held.clear();
          return;
        }
        held.set(part, bytes);
        heldBytes += bytes.length;
        return;
      }
      hash.update(bytes);
      next++;
      for (let b = held.get(next); b !== undefined; b = held.get(next)) {
        held.delete(next);
        heldBytes -= b.length;
        hash.update(b);
        next++;
      }
    },
    result() {
      if (broken || next !== partCount + 1) return null;
      return single ?? hash.digest('hex');
    },
  };
}
