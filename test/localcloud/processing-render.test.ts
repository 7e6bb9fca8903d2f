import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { createRenderCache } from '../../src-main/localcloud/processing/cache.js';
import { opsKey } from '../../src-main/localcloud/processing/ops.js';
import { renderImage } from '../../src-main/localcloud/processing/render.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let jpg: Buffer;

/** 640x480: left half red, right half blue, with an EXIF copyright tag. */
async function twoTone(width = 640, height = 480): Promise<Buffer> {
  const half = await sharp({ create: { width: width / 2, height, channels: 3, background: '#0000ff' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ff0000' } })
    .composite([{ input: half, left: width / 2, top: 0 }])
    .withExif({ IFD0: { Copyright: 'Ferry test' } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function pixel(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...raw.subarray(at, at + info.channels)];
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-render-');
  jpg = await twoTone();
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('renderImage', () => {
  it('reads a file path or a buffer and keeps the input format and EXIF by default', async () => {
    const file = path.join(dir, 'in.jpg');
    await writeFile(file, jpg);
    const out = await renderImage(file, [{ op: 'resize', width: 100, fit: 'inside' }]);
    expect([out.width, out.height, out.format, out.mimetype]).toEqual([100, 75, 'jpeg', 'image/jpeg']);
    expect((await sharp(out.data).metadata()).exif).toBeDefined();
    const stripped = await renderImage(jpg, [{ op: 'resize', width: 100, fit: 'inside' }, { op: 'stripMetadata' }]);
    expect((await sharp(stripped.data).metadata()).exif).toBeUndefined();
  });

  it('applies ops in list order (crop then resize differs from resize then crop)', async () => {
    const cropFirst = await renderImage(jpg, [{ op: 'crop', x: 0, y: 0, width: 320, height: 480 }, { op: 'resize', width: 100, height: 100, fit: 'fill' }]);
    const resizeFirst = await renderImage(jpg, [{ op: 'resize', width: 100, height: 100, fit: 'fill' }, { op: 'crop', x: 0, y: 0, width: 320, height: 480 }]);
    expect([cropFirst.width, cropFirst.height]).toEqual([100, 100]);
    expect([resizeFirst.width, resizeFirst.height]).toEqual([100, 100]); // crop clamped to the 100x100 image
    // Cropping the red half first leaves no blue; resizing first keeps both halves.
    const [r1, , b1] = await pixel(cropFirst.data, 90, 50);
    const [r2, , b2] = await pixel(resizeFirst.data, 90, 50);
    expect((r1 ?? 0) > 200 && (b1 ?? 0) < 60).toBe(true);
    expect((b2 ?? 0) > 200 && (r2 ?? 0) < 60).toBe(true);
  });

  it('renders shapes with alpha, borders, effects and output formats', async () => {
    const circle = await renderImage(jpg, [{ op: 'circle' }]);
    expect([circle.format, circle.width, circle.height]).toEqual(['png', 480, 480]);
    expect((await pixel(circle.data, 0, 0))[3]).toBe(0);
    const border = await renderImage(jpg, [{ op: 'border', width: 7, color: '#00ff00' }, { op: 'format', format: 'webp' }]);
    expect([border.width, border.height, border.mimetype]).toEqual([654, 494, 'image/webp']);
    const gray = await renderImage(jpg, [{ op: 'sepia', tone: 0 }, { op: 'grayscale' }, { op: 'format', format: 'png' }]);
    const [r, g, b] = await pixel(gray.data, 10, 10);
    expect(g ?? r).toBe(r);
    expect(b ?? r).toBe(r);
    const flop = await renderImage(jpg, [{ op: 'flop' }, { op: 'format', format: 'png' }]);
    expect(((await pixel(flop.data, 10, 10))[2] ?? 0) > 200).toBe(true); // blue moved left
  });

  it('auto-orients from EXIF and clears the tag so viewers do not rotate twice', async () => {
    const tagged = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#808080' } }).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(tagged).metadata()).orientation).toBe(6);
    const out = await renderImage(tagged, [{ op: 'autoOrient' }]);
    expect([out.width, out.height]).toEqual([40, 60]);
    expect((await sharp(out.data).metadata()).orientation ?? 1).toBe(1);
  });

  it('refuses non-images, oversized inputs and oversized outputs with typed errors', async () => {
    const bad = await renderImage(Buffer.from('not an image'), []).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(FerryError);
    expect((bad as FerryError).error.code).toBe('unsupported');
    const big = await renderImage(jpg, [], { maxPixels: 1000 }).catch((e: unknown) => e);
    expect((big as FerryError).error.code).toBe('payload_too_large');
    const huge = await renderImage(jpg, [{ op: 'resize', width: 9000, height: 9000, fit: 'fill' }], { maxPixels: 1_000_000 }).catch((e: unknown) => e);
    expect((huge as FerryError).error.code).toBe('payload_too_large');
    const ac = new AbortController();
    ac.abort();
    const aborted = await renderImage(jpg, [{ op: 'flip' }], { signal: ac.signal }).catch((e: unknown) => e);
    expect((aborted as FerryError).error.code).toBe('aborted');
  });
});

describe('render cache', () => {
  it('serves repeats from memory, keys by source and ops, and stays bounded', async () => {
    const cache = createRenderCache({ maxEntries: 2 });
    const ops = [{ op: 'resize', width: 50, fit: 'inside' }] as const;
    const [a, b] = await Promise.all([cache.render('src1', jpg, ops), cache.render('src1', jpg, ops)]);
    expect(a).toBe(b); // concurrent identical requests share one render
    expect(cache.stats.misses).toBe(1);
    await cache.render('src1', jpg, [{ fit: 'inside', width: 50, op: 'resize' }]);
    expect(cache.stats.hits).toBe(1); // key order inside an op does not matter
    await cache.render('src2', jpg, ops);
    await cache.render('src1', jpg, [{ op: 'flip' }]);
    expect(cache.stats.entries).toBe(2);
    cache.forget('src1');
    expect(cache.stats.entries).toBe(1);
    expect(opsKey([{ op: 'blur', sigma: 1 }])).not.toBe(opsKey([{ op: 'blur', sigma: 2 }]));
  });
});
