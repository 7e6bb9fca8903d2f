/**
 * Issue 13, hole 4: a 190 KB, 49 MP PNG took ~1 GB per render when every stage was an
 * uncompressed PNG buffer. Rendered in a child process (so nothing else shares its memory),
 * three full-size stages of it must now peak under 400 MB. The figure is also in `npm run bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBigPng, renderInChild } from '../support/render-memory.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const MB = 1_000_000;
let dir: string;
let image: string;

beforeAll(async () => {
  dir = await makeTempDir('ferry-render-mem-');
  image = await makeBigPng(dir);
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('49 MP render memory', () => {
  it('rotates, flips, blurs and resizes a 49 MP PNG with the child peaking under 400 MB', async () => {
    const report = await renderInChild(image);
    expect(report.outputs).toEqual([{ width: 1200, height: 1200, bytes: expect.any(Number) as number }]);
    expect(report.peakRssMiB * 1024 * 1024).toBeLessThan(400 * MB);
  }, 180_000);
});
