import { describe, expect, it } from 'vitest';
import { RowHeights } from '../../src-renderer/lib/row-heights.js';
import { poolSize, poolWindow, visibleRange } from '../../src-renderer/lib/virtual-range.js';

const keys = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
const keyAt = (i: number): string => keys[i] as string;

describe('RowHeights', () => {
  it('takes the first measured height as the common one, then ignores rows that agree with it', () => {
    const h = new RowHeights(50);
    expect(h.record('k0', 56)).toBe(true);
    expect(h.typical).toBe(56);
    // Every other row of the common height changes no offset: no work in proportion to the list.
    for (let i = 1; i < 40; i++) expect(h.record(keyAt(i), 56)).toBe(false);
    expect(h.record('k1', 56)).toBe(false);
    expect(h.offsets(keys.length, keyAt)[10_000]).toBe(560_000);
  });

  it('a taller row moves the offsets below it; shrinking back moves them back', () => {
    const h = new RowHeights(28);
    for (let i = 0; i < 10; i++) h.record(keyAt(i), 28);
    expect(h.record('k3', 100)).toBe(true);
    const o = h.offsets(6, keyAt);
    expect([...o]).toEqual([0, 28, 56, 84, 184, 212, 240]);
    expect(h.record('k3', 28)).toBe(true);
    expect(h.offsets(6, keyAt)[6]).toBe(168);
  });

  it('the common height is the one most rows have, not the first or the last measured', () => {
    const h = new RowHeights(40);
    h.record('header', 44);
    expect(h.typical).toBe(44);
    expect(h.record('k0', 28)).toBe(true); // a tie keeps 44
    expect(h.typical).toBe(44);
    expect(h.record('k1', 28)).toBe(true); // 28 is now the common height: offsets change
    expect(h.typical).toBe(28);
    expect(h.record('k2', 28)).toBe(false);
    expect(h.heightOf('header')).toBe(44);
    expect(h.heightOf('never-seen')).toBe(28);
  });
});

describe('poolWindow', () => {
  it('spans exactly the pool, so the rows in it have distinct slots index % pool and a row leaving frees the slot of the row coming in', () => {
    const pool = poolSize(800, 56, 8);
    const offsets = new RowHeights(56).offsets(1000, keyAt);
    for (let y = 0; y < 56_000; y += 37) {
      const w = poolWindow(visibleRange(offsets, y, 800, 8), pool, 1000);
      expect(w.end - w.start).toBe(pool);
      const slots = Array.from({ length: pool }, (_, i) => (w.start + i) % pool);
      expect(new Set(slots).size).toBe(pool);
      // Every row the viewport shows (with its overscan) is in the window.
      const seen = visibleRange(offsets, y, 800, 8);
      expect(w.start <= seen.start && w.end >= seen.end).toBe(true);
    }
  });

  it('is clamped at both ends and shorter only when the list is', () => {
    expect(poolWindow({ start: 0, end: 12 }, 30, 1000)).toEqual({ start: 0, end: 30 });
    expect(poolWindow({ start: 985, end: 1000 }, 30, 1000)).toEqual({ start: 970, end: 1000 });
    expect(poolWindow({ start: 0, end: 5 }, 30, 5)).toEqual({ start: 0, end: 5 });
  });
});
