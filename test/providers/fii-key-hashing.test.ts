import type * as Crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { contentKeyOf, createContentKey } from '../../src-main/engine/content-key.js';
import { createBlockMd5s } from '../../src-main/providers/filestack/block-md5.js';
import { FII_PART_SIZE } from '../../src-main/providers/filestack/chunk-size.js';

/** Bytes fed to MD5 hashes made through node:crypto in this file's module graph. */
const hashed = { md5: 0 };
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  const createHash = (algorithm: string, options?: Crypto.HashOptions): Crypto.Hash => {
    const hash = real.createHash(algorithm, options);
    if (algorithm !== 'md5') return hash;
    const update = hash.update.bind(hash) as (data: Crypto.BinaryLike) => Crypto.Hash;
    hash.update = ((data: Crypto.BinaryLike) => {
      hashed.md5 += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      return update(data);
    }) as Crypto.Hash['update'];
    return hash;
  };
  return { ...real, default: { ...real, createHash }, createHash };
});

describe('intelligent ingestion and the content key', () => {
  it('whole-part chunks give every key block with one MD5 pass over the file (the chunk MD5s FII sends are the blocks)', () => {
    const size = 3 * FII_PART_SIZE + 12_345;
    const bytes = randomBytes(size);
    const expected = contentKeyOf(bytes);
    const key = createContentKey(size);
    const blocks = createBlockMd5s(size, key.blockSize, (i, md5) => key.add(i, md5));
    hashed.md5 = 0;
    // Parts finish in any order (three at once); each goes up as one chunk, as FII sends it by default.
    for (const part of [2, 1, 4, 3]) {
      const at = (part - 1) * FII_PART_SIZE;
      blocks.chunkMd5(at, bytes.subarray(at, Math.min(size, at + FII_PART_SIZE)));
    }
    expect(hashed.md5).toBe(size);
    expect(key.result()).toBe(expected);
  });
});
