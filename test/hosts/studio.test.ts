import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src-shared/errors.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import type { ResponseOf } from '../../src-shared/ipc/channels.js';
import type { FerryApp } from '../../src-main/hosts/compose.js';
import { studioFileName } from '../../src-main/hosts/studio/service.js';
import { startStudioApp, uploadThroughEngine, writeJpeg } from './studio-support.js';

let app: FerryApp;
let close: () => Promise<void>;
let jobId: string;
let originalUrl: string;

beforeAll(async () => {
  const started = await startStudioApp();
  app = started.app;
  close = started.close;
  const file = path.join(started.dir, 'photo.jpg');
  await writeJpeg(file, 640, 480);
  const job = await uploadThroughEngine(app, file);
  jobId = job.id;
  if (job.status.kind !== 'done') throw new Error('not done');
  originalUrl = job.status.result.url;
}, 30_000);
afterAll(async () => close?.());

const preview = (payload: unknown) => dispatch(app.handlers, 'studio:preview', payload) as Promise<Result<ResponseOf<'studio:preview'>>>;
const store = (payload: unknown) => dispatch(app.handlers, 'studio:store', payload) as Promise<Result<ResponseOf<'studio:store'>>>;

async function fetchBytes(url: string): Promise<{ status: number; type: string | null; data: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), data: Buffer.from(await res.arrayBuffer()) };
}

describe('studio:preview', () => {
  it('renders resize width 100 on a 640×480 JPEG as 100×75 and reports both sides', async () => {
    const res = await preview({ jobId, chain: { kind: 'filestack', steps: [{ name: 'resize', params: { width: 100 } }] } });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.before).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect(res.value.after).toMatchObject({ width: 100, height: 75, format: 'jpeg' });
    expect(res.value.after.bytes).toBeLessThan(res.value.before.bytes);
    // The URL is loadable as is (what the renderer's <img> does) and serves the same pixels.
    expect(res.value.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const got = await fetchBytes(res.value.url);
    expect(got.status).toBe(200);
    const meta = await sharp(got.data).metadata();
    expect([meta.width, meta.height]).toEqual([100, 75]);
  });

  it('chains format, rotate and a circle: the after facts follow the chain', async () => {
    const steps = [
      { name: 'resize', params: { width: 200, height: 200, fit: 'crop' } },
      { name: 'rotate', params: { deg: 90 } },
      { name: 'circle' },
      { name: 'output', params: { format: 'webp', quality: 70 } },
    ];
    const res = await preview({ jobId, chain: { kind: 'filestack', steps } });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.after).toMatchObject({ width: 200, height: 200, format: 'webp' });
  });

  it('an empty chain previews the original unchanged', async () => {
    const res = await preview({ jobId, chain: { kind: 'filestack', steps: [] } });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.url).toBe(originalUrl);
    expect(res.value.after).toEqual(res.value.before);
  });

  it('refuses an out-of-range parameter with bad_request naming the task', async () => {
    const res = await preview({ jobId, chain: { kind: 'filestack', steps: [{ name: 'blur', params: { amount: 500 } }] } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('bad_request');
    expect(res.error.message).toContain('"blur"');
    expect(res.error.message).toContain('amount');
    const zero = await preview({ jobId, chain: { kind: 'filestack', steps: [{ name: 'resize', params: { width: 0 } }] } });
    expect(!zero.ok && zero.error.code).toBe('bad_request');
    expect(!zero.ok && zero.error.message).toContain('"resize"');
  });

  it('refuses tasks outside the studio, the wrong chain kind, unknown jobs and junk payloads', async () => {
    const storeTask = await preview({ jobId, chain: { kind: 'filestack', steps: [{ name: 'store' }] } });
    expect(!storeTask.ok && storeTask.error.code).toBe('bad_request');
    const wrongKind = await preview({ jobId, chain: { kind: 'imagekit', steps: [{ width: 100 }] } });
    expect(!wrongKind.ok && wrongKind.error.code).toBe('bad_request');
    const unknown = await preview({ jobId: 'nope', chain: { kind: 'filestack', steps: [] } });
    expect(!unknown.ok && unknown.error.code).toBe('not_found');
    const junk = await preview({ jobId, chain: { kind: 'filestack', steps: [{ name: 'resize', params: { width: { $gt: 1 } } }] } });
    expect(!junk.ok && junk.error.code).toBe('bad_request');
  });
});

describe('studio:store', () => {
  it('stores the rendered chain as a new file whose bytes have the new dimensions', async () => {
    const steps = [
      { name: 'resize', params: { width: 100 } },
      { name: 'output', params: { format: 'png' } },
    ];
    const res = await store({ jobId, chain: { kind: 'filestack', steps } });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.url).not.toBe(originalUrl);
    expect(res.value.url.endsWith(res.value.remoteId)).toBe(true);
    const got = await fetchBytes(res.value.url);
    expect(got.status).toBe(200);
    const meta = await sharp(got.data).metadata();
    expect({ w: meta.width, h: meta.height, f: meta.format }).toEqual({ w: 100, h: 75, f: 'png' });
    // The original is untouched.
    const original = await sharp((await fetchBytes(originalUrl)).data).metadata();
    expect([original.width, original.height]).toEqual([640, 480]);
  });

  it('names stored files after the source and the output format', () => {
    expect(studioFileName('photo.jpg', { kind: 'filestack', steps: [{ name: 'output', params: { format: 'webp' } }] })).toBe('photo-edited.webp');
    expect(studioFileName('photo.jpg', { kind: 'filestack', steps: [] })).toBe('photo-edited.jpg');
    expect(studioFileName('README', { kind: 'imagekit', steps: [{ format: 'avif' }] })).toBe('README-edited.avif');
  });
});
