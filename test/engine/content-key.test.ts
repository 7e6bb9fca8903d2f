import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contentKeyOf,
  contentKeyOfFile,
  createContentKey,
  KEY_BLOCK_BYTES,
  keyBlockSize,
  sameVersion,
  versionKey,
  versionOf,
  type FileVersion,
} from '../../src-main/engine/content-key.js';
import { FerryError } from '../../src-shared/errors.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const MIB = 1024 * 1024;
/** Intelligent ingestion's fixed part size, so its whole-part chunk MD5s are the key's blocks. */
const BLOCK = 8 * MIB;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

/** The key as the history stores it, written out from its definition (not from the module). */
function expectedKey(bytes: Buffer, blockSize: number): string {
  const h = createHash('sha256').update(`ferry-content-key/1\n${bytes.length}\n${blockSize}\n`);
  let at = 0;
  do {
    h.update(createHash('md5').update(bytes.subarray(at, at + blockSize)).digest());
    at += blockSize;
  } while (at < bytes.length);
  return h.digest('hex');
}

describe('content key', () => {
  it('blocks are 8 MiB up to 10,000 of them, then grow so a file never has more', () => {
    expect(KEY_BLOCK_BYTES).toBe(BLOCK);
    expect(keyBlockSize(0)).toBe(BLOCK);
    expect(keyBlockSize(10_000 * BLOCK)).toBe(BLOCK);
    expect(keyBlockSize(10_000 * BLOCK + 1)).toBe(BLOCK + 1);
    expect(keyBlockSize(10_000 * 9 * MIB)).toBe(9 * MIB);
  });

  it('is the SHA-256 of the size, the block size and each block MD5, in order', () => {
    for (const size of [0, 1, BLOCK, BLOCK + 1, 2 * BLOCK + 7]) {
      const bytes = randomBytes(size);
      expect(contentKeyOf(bytes)).toBe(expectedKey(bytes, BLOCK));
    }
    expect(contentKeyOf(Buffer.alloc(0))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('built from block MD5s in any order, it equals the key of the bytes; missing blocks give no key', () => {
    const bytes = randomBytes(2 * BLOCK + 100);
    const blocks = [0, 1, 2].map((i) => bytes.subarray(i * BLOCK, (i + 1) * BLOCK));
    const key = createContentKey(bytes.length);
    expect(key.blockSize).toBe(BLOCK);
    key.add(2, md5(blocks[2]!));
    key.add(0, md5(blocks[0]!));
    expect(key.result()).toBeNull();
    // Out of range and fractional indexes are ignored, never counted as the missing block.
    key.add(3, md5(blocks[1]!));
    key.add(-1, md5(blocks[1]!));
    key.add(1.5, md5(blocks[1]!));
    expect(key.result()).toBeNull();
    // A block seen twice counts once; the last read wins (the copy a retry sent).
    key.add(0, md5(Buffer.from('stale')));
    expect(key.result()).toBeNull();
    key.add(0, md5(blocks[0]!));
    key.add(1, md5(blocks[1]!));
    expect(key.result()).toBe(contentKeyOf(bytes));
  });

  it('an empty file has one (empty) block', () => {
    const key = createContentKey(0);
    expect(key.result()).toBeNull();
    key.add(0, md5(Buffer.alloc(0)));
    expect(key.result()).toBe(contentKeyOf(Buffer.alloc(0)));
  });
});

describe('file versions and reading keys from disk', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await makeTempDir('ferry-content-key-');
  });
  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('a version is size, mtime and inode; it reads as dev:ino:size:mtimeNs', async () => {
    const file = path.join(dir, 'a.bin');
    await writeFile(file, 'hello');
    const v = await versionOf(file);
    expect(v?.size).toBe(5);
    expect(versionKey(v!)).toBe(`${v!.dev}:${v!.ino}:5:${v!.mtimeNs}`);
    expect(await versionOf(path.join(dir, 'missing'))).toBeNull();
  });

  it('two versions are the same only when every field is', () => {
    const v: FileVersion = { size: 1, mtimeNs: 2n, dev: 3n, ino: 4n };
    expect(sameVersion(v, { ...v })).toBe(true);
    expect(sameVersion(v, { ...v, size: 9 })).toBe(false);
    expect(sameVersion(v, { ...v, mtimeNs: 9n })).toBe(false);
    expect(sameVersion(v, { ...v, dev: 9n })).toBe(false);
    expect(sameVersion(v, { ...v, ino: 9n })).toBe(false);
    expect(sameVersion(null, v)).toBe(false);
    expect(sameVersion(v, null)).toBe(false);
  });

  it('reading a file gives the key of its bytes and the version it kept throughout', async () => {
    for (const size of [0, 3 * MIB + 5, 6 * MIB, 13 * MIB]) {
      const bytes = randomBytes(size);
      const file = path.join(dir, `f${size}.bin`);
      await writeFile(file, bytes);
      const got = await contentKeyOfFile(file, new AbortController().signal);
      expect(got.key).toBe(contentKeyOf(bytes));
      expect(got.size).toBe(size);
      expect(got.version).toEqual(await versionOf(file));
    }
  });

  it('an aborted read stops with an aborted error', async () => {
    const file = path.join(dir, 'a.bin');
    await writeFile(file, randomBytes(1000));
    const ac = new AbortController();
    ac.abort();
    const err = await contentKeyOfFile(file, ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).error.code).toBe('aborted');
  });
});
