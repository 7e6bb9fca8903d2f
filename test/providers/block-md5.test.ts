import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBlockMd5s } from '../../src-main/providers/filestack/block-md5.js';

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

/** The ranges [start, end) of `size` bytes cut every `step`, shuffled by a seeded order. */
function shuffledRanges(size: number, step: number, seed: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let at = 0; at < size; at += step) ranges.push([at, Math.min(size, at + step)]);
  let x = seed;
  for (let i = ranges.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [ranges[i], ranges[j]] = [ranges[j] as [number, number], ranges[i] as [number, number]];
  }
  return ranges;
}

describe('block MD5s from ranges in any order', () => {
  it('equal the MD5 of every block, whatever the order and cut of the ranges, each block reported once', () => {
    const bytes = randomBytes(100_003);
    const block = 6_000;
    const want = Array.from({ length: Math.ceil(bytes.length / block) }, (_, i) => md5(bytes.subarray(i * block, (i + 1) * block)));
    for (const [step, seed] of [[8_000, 1], [1_234, 7], [6_000, 3], [50_000, 9], [100_003, 2]] as const) {
      const got = new Map<number, string>();
      let calls = 0;
      const blocks = createBlockMd5s(bytes.length, block, (i, m) => {
        calls++;
        got.set(i, m);
      });
      for (const [a, b] of shuffledRanges(bytes.length, step, seed)) {
        // The caller reuses its buffer: what was held must have been copied.
        const borrowed = Buffer.from(bytes.subarray(a, b));
        blocks.offer(a, borrowed);
        borrowed.fill(0);
      }
      expect(calls).toBe(want.length);
      expect([...got.keys()].sort((x, y) => x - y).map((i) => got.get(i))).toEqual(want);
    }
  });

  it('a range offered again (a retried chunk) changes nothing', () => {
    const bytes = randomBytes(20_000);
    const got: string[] = [];
    const blocks = createBlockMd5s(bytes.length, 10_000, (i, m) => (got[i] = m));
    blocks.offer(0, bytes.subarray(0, 4_000));
    blocks.offer(0, bytes.subarray(0, 4_000));
    blocks.offer(12_000, bytes.subarray(12_000, 20_000));
    blocks.offer(12_000, bytes.subarray(12_000, 20_000));
    blocks.offer(4_000, bytes.subarray(4_000, 12_000));
    expect(got).toEqual([md5(bytes.subarray(0, 10_000)), md5(bytes.subarray(10_000))]);
  });

  it('chunkMd5 answers each chunk\'s own MD5 and fills the blocks, chunks cut anywhere and sent in any order, some twice', () => {
    const bytes = randomBytes(50_001);
    const block = 6_000;
    const want = Array.from({ length: Math.ceil(bytes.length / block) }, (_, i) => md5(bytes.subarray(i * block, (i + 1) * block)));
    // Parts of 8,000 cut at block starts (as the sender does), parts of 8,000 whole, odd chunks.
    const cuts: Array<Array<[number, number]>> = [[], [], shuffledRanges(bytes.length, 2_500, 5)];
    for (let p = 0; p < bytes.length; p += 8_000) {
      const end = Math.min(bytes.length, p + 8_000);
      cuts[1]?.push([p, end]);
      for (let a = p; a < end; ) {
        const b = Math.min(end, a + (block - (a % block)));
        cuts[0]?.push([a, b]);
        a = b;
      }
    }
    for (const [n, ranges] of cuts.entries()) {
      const got = new Map<number, string>();
      const blocks = createBlockMd5s(bytes.length, block, (i, m) => got.set(i, m));
      // Reversed pairs: a later part's chunks often go before an earlier one's.
      const order = n === 2 ? ranges : ranges.flatMap((r, i) => (i % 2 === 0 ? [ranges[i + 1], r] : [])).filter((r): r is [number, number] => r !== undefined);
      expect(order).toHaveLength(ranges.length);
      for (const [i, [a, b]] of order.entries()) {
        const borrowed = Buffer.from(bytes.subarray(a, b));
        expect(blocks.chunkMd5(a, borrowed)).toBe(md5(bytes.subarray(a, b)));
        // A retried chunk: the same bytes offered again.
        if (i % 3 === 0) expect(blocks.chunkMd5(a, borrowed)).toBe(md5(bytes.subarray(a, b)));
        borrowed.fill(0);
      }
      expect([...got.keys()].sort((x, y) => x - y).map((i) => got.get(i))).toEqual(want);
    }
  });
});
