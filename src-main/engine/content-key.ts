import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { ContentKeyFeed } from './ports.js';

/**
 * The dedupe key of a file's content, built from work an upload does anyway: the file is cut in
 * fixed blocks (8 MiB, grown for files over ~80 GB so there are at most 10,000 — exactly the
 * Filestack provider's default part plan, and intelligent ingestion's fixed 8 MiB parts), and
 * the key is the SHA-256 of the size, the block size and every block's MD5. The provider hashes
 * each part (or each whole-part FII chunk) for its Content-MD5 / chunk md5, so a regular and an
 * intelligent upload both yield the same key with no pass of their own; other uploads (ImageKit,
 * a resumed upload) and the dedupe pre-check read the file once (`contentKeyOfFile`). Equal
 * bytes always give the equal key; it is 64 lowercase hex characters like the SHA-256 it
 * replaces in the history.
 */

const MIB = 1024 * 1024;
/**
 * The smallest block; equal to the Filestack provider's default part size and to intelligent
 * ingestion's part size (spec §4: 8 MiB in every SDK), so both paths hash each byte once. Keys
 * made with the earlier 6 MiB blocks differ (the block size is hashed in): such an upload is
 * still found by its file version (size, mtime, inode), not by its bytes under another name.
 */
export const KEY_BLOCK_BYTES = 8 * MIB;
const MAX_BLOCKS = 10_000;

/** The block size used for a file of `size` bytes. */
export function keyBlockSize(size: number): number {
  return Math.max(KEY_BLOCK_BYTES, Math.ceil(size / MAX_BLOCKS));
}

/** The version of a file: size, nanosecond mtime and inode (what "unchanged" means here). */
export type FileVersion = { readonly size: number; readonly mtimeNs: bigint; readonly dev: bigint; readonly ino: bigint };

/** A version as one string, the history's `source_version` (dev:ino:size:mtimeNs). */
export function versionKey(v: FileVersion): string {
  return `${v.dev}:${v.ino}:${v.size}:${v.mtimeNs}`;
}

/** The version in a bigint stat (of a path or an open file). */
export function versionOfStats(s: Pick<BigIntStats, 'size' | 'mtimeNs' | 'dev' | 'ino'>): FileVersion {
  return { size: Number(s.size), mtimeNs: s.mtimeNs, dev: s.dev, ino: s.ino };
}

/** The file's version now, or null when it cannot be read. */
export async function versionOf(path: string): Promise<FileVersion | null> {
  try {
    return versionOfStats(await stat(path, { bigint: true }));
  } catch {
    return null;
  }
}

/** Same size, mtime and inode. */
export function sameVersion(a: FileVersion | null, b: FileVersion | null): boolean {
  return a !== null && b !== null && a.size === b.size && a.mtimeNs === b.mtimeNs && a.dev === b.dev && a.ino === b.ino;
}

/** The key from block MD5s (raw 16-byte digests, in order). */
function keyOf(size: number, blockSize: number, digests: readonly Buffer[]): string {
  const h = createHash('sha256').update(`ferry-content-key/1\n${size}\n${blockSize}\n`);
  for (const d of digests) h.update(d);
  return h.digest('hex');
}

/** Collects block MD5s (in any order) and yields the key once every block was seen. */
export type ContentKeyBuilder = ContentKeyFeed & {
  /** The key, or null while a block is missing. */
  result(): string | null;
};

export function createContentKey(size: number): ContentKeyBuilder {
  const blockSize = keyBlockSize(size);
  const count = Math.max(1, Math.ceil(size / blockSize));
  const digests: (Buffer | undefined)[] = new Array<Buffer | undefined>(count);
  let seen = 0;
  return {
    blockSize,
    add(index, md5Base64) {
      if (!Number.isInteger(index) || index < 0 || index >= count) return;
      if (digests[index] === undefined) seen++;
      // The last read wins: a part re-read for a retry is the copy the server kept.
      digests[index] = Buffer.from(md5Base64, 'base64');
    },
    result() {
      return seen === count ? keyOf(size, blockSize, digests as Buffer[]) : null;
    },
  };
}

/** The key of in-memory bytes (tests, and anything that already holds a file). */
export function contentKeyOf(bytes: Buffer): string {
  const blockSize = keyBlockSize(bytes.length);
  const digests: Buffer[] = [];
  for (let at = 0; at < bytes.length || digests.length === 0; at += blockSize) {
    digests.push(createHash('md5').update(bytes.subarray(at, at + blockSize)).digest());
  }
  return keyOf(bytes.length, blockSize, digests);
}

/** Builds the key from bytes streamed in order (chunks of any length), for a reader that streams anyway. */
export type StreamingContentKey = { update(chunk: Buffer): void; digest(): string };

/** `expectedSize` picks the block size; the key itself covers the bytes actually streamed. */
export function createStreamingContentKey(expectedSize: number): StreamingContentKey {
  const blockSize = keyBlockSize(expectedSize);
  const digests: Buffer[] = [];
  let block = createHash('md5');
  let inBlock = 0;
  let size = 0;
  return {
    update(chunk) {
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(chunk.length - at, blockSize - inBlock);
        block.update(chunk.subarray(at, at + take));
        at += take;
        inBlock += take;
        size += take;
        if (inBlock === blockSize) {
          digests.push(block.digest());
          block = createHash('md5');
          inBlock = 0;
        }
      }
    },
    digest() {
      if (inBlock > 0 || digests.length === 0) digests.push(block.digest());
      return keyOf(size, blockSize, digests);
    },
  };
}

/** A key read from disk, with the version the file had throughout the read (null if it changed). */
export type FileKey = { readonly key: string; readonly size: number; readonly version: FileVersion | null };

const READ_BYTES = MIB;

/** Reads the file once (1 MiB at a time, one buffer) and returns its content key. `signal` stops it. */
export async function contentKeyOfFile(path: string, signal: AbortSignal): Promise<FileKey> {
  const fh = await open(path, 'r');
  const digests: Buffer[] = [];
  let size = 0;
  try {
    // The open file's own version (one stat fewer than asking the path before opening it).
    const before = versionOfStats(await fh.stat({ bigint: true }));
    const total = before.size;
    const blockSize = keyBlockSize(total);
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let block = createHash('md5');
    let inBlock = 0;
    for (;;) {
      if (signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
      const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, blockSize - inBlock), null);
      if (bytesRead === 0) break;
      block.update(buf.subarray(0, bytesRead));
      inBlock += bytesRead;
      size += bytesRead;
      if (inBlock === blockSize) {
        digests.push(block.digest());
        block = createHash('md5');
        inBlock = 0;
      }
    }
    if (inBlock > 0 || digests.length === 0) digests.push(block.digest());
    const after = await versionOf(path);
    const stable = size === total && sameVersion(before, after);
    return { key: keyOf(size, blockSize, digests), size, version: stable ? before : null };
  } finally {
    await fh.close();
  }
}
