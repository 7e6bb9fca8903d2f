import { describe, expect, it } from 'vitest';
import { partOffset, partSizeFrom, trueOffsets } from '../../src-main/localcloud/filestack/part-layout.js';

describe('part layout: where a part lands in the data file', () => {
  const total = 3 * 100 + 42;
  it('places every part of the equal-parts plan at (n − 1) × part size, the short last one included', () => {
    expect([1, 2, 3].map((n) => partOffset(total, 100, n, 100))).toEqual([0, 100, 200]);
    expect(partOffset(total, 100, 4, 42)).toBe(300);
    expect(partOffset(300, 100, 3, 100)).toBe(200);
  });
  it('sends anything off the plan to a side file (null)', () => {
    expect(partOffset(total, null, 2, 100)).toBeNull();
    expect(partOffset(total, 100, 2, 99)).toBeNull();
    expect(partOffset(total, 100, 4, 100)).toBeNull();
    expect(partOffset(total, 100, 5, 1)).toBeNull();
    expect(partOffset(total, 100, 0, 100)).toBeNull();
  });
  it('only part 1 fixes the part size', () => {
    expect(partSizeFrom(total, 1, 100)).toBe(100);
    expect(partSizeFrom(total, 1, total)).toBe(total);
    expect(partSizeFrom(total, 2, 100)).toBeNull();
    expect(partSizeFrom(total, 1, total + 1)).toBeNull();
  });
  it('true offsets follow the sizes', () => {
    expect(trueOffsets([5, 6, 1])).toEqual([0, 5, 11]);
  });
});
