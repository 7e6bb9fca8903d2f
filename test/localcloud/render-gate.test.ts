/**
 * Issue 13, hole 4: renders are admitted by count and by pixels, a too-large image is refused
 * before it waits or decodes, stages that grow the image are capped before they run, a full queue
 * answers 429 with Retry-After at once, and scratch files never outlive a render.
 */
import { readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { DEFAULT_LOCAL_APIKEY } from '../../src-main/localcloud/server.js';
import { createRenderGate, renderGate } from '../../src-main/localcloud/processing/render-gate.js';
import { renderImage } from '../../src-main/localcloud/processing/render.js';
import { get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

const codeOf = (e: unknown): string => (e instanceof FerryError ? e.error.code : `not a FerryError: ${String(e)}`);

/** A promise plus its resolver, to hold a gate slot open. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

let ik: IkCloud;
let jpg: Buffer;

beforeAll(async () => {
  ik = await startIkCloud();
  jpg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
});
afterAll(async () => {
  await ik.close();
});

describe('render gate', () => {
  it('runs at most `slots` at once, within the pixel budget, first come first served', async () => {
    const gate = createRenderGate({ slots: 2, pixelBudget: 100, maxWaiting: 10 });
    const started: string[] = [];
    const big1 = latch();
    const big2 = latch();
    const a = gate.run(60, async () => (started.push('a'), big1.promise));
    const b = gate.run(60, async () => (started.push('b'), big2.promise)); // 120 > 100: waits
    const c = gate.run(10, async () => void started.push('c')); // would fit, but b came first
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['a']);
    expect(gate.stats).toEqual({ running: 1, waiting: 2, pixels: 60 });
    big1.open();
    await a;
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['a', 'b', 'c']);
    big2.open();
    await Promise.all([b, c]);
    expect(gate.stats).toEqual({ running: 0, waiting: 0, pixels: 0 });
  });

  it('refuses at once with rate_limited and a retry delay when the queue is full; an aborted waiter leaves', async () => {
    const gate = createRenderGate({ slots: 1, maxWaiting: 1, retryAfterSeconds: 3 });
    const hold = latch();
    const running = gate.run(1, () => hold.promise);
    const ac = new AbortController();
    const waiting = gate.run(1, async () => 'late', ac.signal);
    const refused = await gate.run(1, async () => 'never').catch((e: unknown) => e);
    expect(codeOf(refused)).toBe('rate_limited');
    expect((refused as FerryError).error.details?.retryAfterSeconds).toBe(3);
    ac.abort();
    expect(codeOf(await waiting.catch((e: unknown) => e))).toBe('aborted');
    expect(gate.stats.waiting).toBe(0);
    hold.open();
    await running;
  });

  it('refuses an image over the pixel cap before it waits for a slot', async () => {
    const gate = createRenderGate({ slots: 1 });
    const hold = latch();
    const running = gate.run(1, () => hold.promise);
    const err = await renderImage(jpg, [{ op: 'flip' }], { gate, maxPixels: 100_000 }).catch((e: unknown) => e);
    expect(codeOf(err)).toBe('payload_too_large');
    expect(gate.stats.waiting).toBe(0);
    hold.open();
    await running;
  });

  it('caps stages that grow the image (border, odd rotation) before they run', async () => {
    // 640x480 = 307,200 px; the cap is 400,000.
    const ok = await renderImage(jpg, [{ op: 'border', width: 10, color: '#ff0000' }], { maxPixels: 400_000 });
    expect([ok.width, ok.height]).toEqual([660, 500]);
    const border = await renderImage(jpg, [{ op: 'border', width: 100, color: '#ff0000' }], { maxPixels: 400_000 }).catch((e: unknown) => e);
    expect(codeOf(border)).toBe('payload_too_large');
    const rotated = await renderImage(jpg, [{ op: 'rotate', degrees: 45 }], { maxPixels: 400_000 }).catch((e: unknown) => e);
    expect(codeOf(rotated)).toBe('payload_too_large');
    expect((await renderImage(jpg, [{ op: 'rotate', degrees: 90 }], { maxPixels: 400_000 })).width).toBe(480);
  });
});

describe('busy and too-large answers over HTTP', () => {
  it('answers 429 with Retry-After on both front ends while the render queue is full, then renders again', async () => {
    const stored = await ik.cloud.storage.putBuffer(jpg, { filename: 'a.jpg', mimetype: 'image/jpeg', apikey: DEFAULT_LOCAL_APIKEY, key: 'a.jpg', path: null, container: 'c', location: 's3' });
    expect((await upload(ik, { file: await png(64, 48, '#00ff00'), fileName: 'b.png', useUniqueFileName: 'false' })).status).toBe(200);
    // One render holding the whole pixel budget, then waiters until the queue refuses more.
    const hold = latch();
    const blocker = renderGate.run(Number.MAX_SAFE_INTEGER, () => hold.promise);
    const ac = new AbortController();
    const waiters: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const before = renderGate.stats.waiting;
      const w = renderGate.run(1, async () => undefined, ac.signal).catch((e: unknown) => e);
      await new Promise((r) => setImmediate(r));
      if (renderGate.stats.waiting === before) break;
      waiters.push(w);
    }
    try {
      const fs = await fetch(`${ik.cloud.baseUrl}/resize=width:100/${stored.handle}`);
      expect(fs.status).toBe(429);
      expect(Number(fs.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await fs.json()) as { code: string }).code).toBe('rate_limited');
      const ikAnswer = await get(`${ik.endpoint}/tr:w-20/b.png`);
      expect(ikAnswer.status).toBe(429);
      expect(Number(ikAnswer.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      ac.abort();
      hold.open();
      await blocker;
      await Promise.all(waiters);
    }
    const again = await fetch(`${ik.cloud.baseUrl}/resize=width:100/${stored.handle}`);
    expect(again.status).toBe(200);
    expect((await sharp(Buffer.from(await again.arrayBuffer())).metadata()).width).toBe(100);
  });

  it('answers 413 for an image over the pixel cap, and leaves no scratch files behind', async () => {
    // 8000 × 8000 = 64 MP > 50 MP; tiny as a PNG.
    const huge = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
    const stored = await ik.cloud.storage.putBuffer(huge, { filename: 'h.png', mimetype: 'image/png', apikey: DEFAULT_LOCAL_APIKEY, key: 'h.png', path: null, container: 'c', location: 's3' });
    const res = await fetch(`${ik.cloud.baseUrl}/rotate=deg:90/${stored.handle}`);
    expect(res.status).toBe(413);
    const small = await ik.cloud.storage.putBuffer(jpg, { filename: 's.jpg', mimetype: 'image/jpeg', apikey: DEFAULT_LOCAL_APIKEY, key: 's.jpg', path: null, container: 'c', location: 's3' });
    // Three stages, JPEG output: every stage goes through a scratch file.
    const chain = await fetch(`${ik.cloud.baseUrl}/rotate=deg:90/flip/blur=amount:2/${small.handle}`);
    expect(chain.status, await chain.clone().text()).toBe(200);
    expect((await readdir(ik.cloud.storage.tmpDir)).filter((n) => n.startsWith('ferry-render-'))).toEqual([]);
  });
});
