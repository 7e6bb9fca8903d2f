import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
 * A short read means the file shrank under us → `file_changed`. Opens the file for this one
 * read; an upload that reads many parts keeps one SourceFile open instead.
 */
export async function readRange(filePath: string, offset: number, length: number): Promise<Buffer> {
  const file = await openSource(filePath);
  try {
    return await file.read(offset, Buffer.allocUnsafe(length));
  } finally {
    await file.close();
  }
}

/** One open source file, read by range for the whole upload attempt. */
export type SourceFile = {
  /** Fills `into` from `offset` (exactly `into.length` bytes) and returns it. */
  read(offset: number, into: Buffer): Promise<Buffer>;
  close(): Promise<void>;
};

/** Opens the source once for all the part reads of an attempt; errors are Ferry's file errors. */
export async function openSource(filePath: string): Promise<SourceFile> {
  let fh: FileHandle;
  try {
    fh = await open(filePath, 'r');
  } catch (err) {
    throw fileError(err, filePath);
  }
  let closed: Promise<void> | null = null;
  return {
    async read(offset, into) {
      let got = 0;
      try {
        while (got < into.length) {
          const { bytesRead } = await fh.read(into, got, into.length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        throw fileError(err, filePath);
      }
      if (got !== into.length) {
        throw new FerryError(appError('file_changed', `The file got shorter while uploading (${filePath}).`, { retryable: false }));
      }
      return into;
    },
    close: () => (closed ??= fh.close().catch(() => undefined)),
  };
}

/** Part buffers smaller than this come from Node's own allocator; pooling them gains nothing. */
const POOL_MIN_BYTES = 256 * 1024;
/** Free buffers kept for reuse (6 files × 3 parts would be 18; more are simply dropped). */
const POOL_MAX_FREE = 8;
const freeBuffers: Buffer[] = [];

/**
 * A buffer of exactly `length` bytes for a part, reused from earlier parts when one is free:
 * a fresh 6 MiB allocation per part (and the GC behind it) was a measurable share of an
 * upload's CPU. Give it back with releaseBuffer once nothing reads it any more.
 */
export function acquireBuffer(length: number): Buffer {
  if (length < POOL_MIN_BYTES) return Buffer.allocUnsafe(length);
  const i = freeBuffers.findIndex((b) => b.buffer.byteLength >= length);
  const backing = i >= 0 ? (freeBuffers.splice(i, 1)[0] as Buffer) : Buffer.allocUnsafeSlow(length);
  return backing.subarray(0, length);
}

/** Returns a buffer from acquireBuffer to the pool. */
export function releaseBuffer(buf: Buffer): void {
  if (buf.buffer.byteLength < POOL_MIN_BYTES || freeBuffers.length >= POOL_MAX_FREE) return;
  if (freeBuffers.some((b) => b.buffer === buf.buffer)) return;
  freeBuffers.push(Buffer.from(buf.buffer, 0, buf.buffer.byteLength));
}

/**
 * Hands out turns in part order: the first read of each part waits for the first reads of the
 * parts before it, so the whole-file MD5 (createOrderedMd5) is fed in order and never has to
 * hold a part back. Reads come from the page cache in a millisecond or two; hashing is on the
 * one JS thread anyway, so the order costs nothing.
 */
export type Turnstile = {
  /** Runs `fn` once every part before `part` (of those given at creation) had its turn; an abort stops the wait. */
  turn<T>(part: number, signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
};

export function createTurnstile(parts: readonly number[]): Turnstile {
  const order = [...parts].sort((a, b) => a - b);
  const previous = new Map<number, number>(order.slice(1).map((n, i) => [n, order[i] as number]));
  const release = new Map<number, () => void>();
  const done = new Map<number, Promise<void>>(order.map((n) => [n, new Promise<void>((r) => release.set(n, r))]));
  return {
    async turn(part, signal, fn) {
      const before = done.get(previous.get(part) ?? -1);
      try {
        if (before) await abortable(before, signal);
        return await fn();
      } finally {
        release.get(part)?.();
      }
    },
  };
}

function abortable(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new FerryError(appError('aborted', 'The upload was canceled.')));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(new FerryError(appError('aborted', 'The upload was canceled.')));
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
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
        // A copy: the caller reuses its buffer once the part is sent.
        held.set(part, Buffer.from(bytes));
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
