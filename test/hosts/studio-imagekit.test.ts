import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import type { ResponseOf } from '../../src-shared/ipc/channels.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { uploadThroughEngine, writeJpeg } from './studio-support.js';

/** The studio on an `imagekit` destination: the local cloud's ImageKit front end, configured through FERRY_IMAGEKIT_*. */

const ENV = ['FERRY_IMAGEKIT_PRIVATE_KEY', 'FERRY_IMAGEKIT_URL_ENDPOINT', 'FERRY_IMAGEKIT_UPLOAD_BASE', 'FERRY_IMAGEKIT_API_BASE'] as const;
const saved = new Map(ENV.map((k) => [k, process.env[k]]));
let dir: string;
let cloud: LocalCloud;
let app: FerryApp;
let jobId: string;

beforeAll(async () => {
  dir = await makeTempDir('ferry-studio-ik-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud') });
  process.env.FERRY_IMAGEKIT_PRIVATE_KEY = 'private_FerryLocalCloudKey0001';
  process.env.FERRY_IMAGEKIT_URL_ENDPOINT = `${cloud.baseUrl}/ik/ferry`;
  process.env.FERRY_IMAGEKIT_UPLOAD_BASE = cloud.baseUrl;
  process.env.FERRY_IMAGEKIT_API_BASE = cloud.baseUrl;
  app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir], localCloudUrl: cloud.baseUrl, defaultDestination: 'imagekit' });
  const file = path.join(dir, 'beach.jpg');
  await writeJpeg(file, 640, 480);
  const job = await uploadThroughEngine(app, file);
  expect(job.destination).toBe('imagekit');
  jobId = job.id;
}, 30_000);

afterAll(async () => {
  await app?.close();
  await cloud?.close();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await removeTempDir(dir);
});

describe('studio on ImageKit', () => {
  it('previews an ImageKit chain: width 100 gives 100×75 through the delivery URL', async () => {
    const res = await dispatch(app.handlers, 'studio:preview', { jobId, chain: { kind: 'imagekit', steps: [{ width: 100 }, { format: 'webp' }] } });
    if (!res.ok) throw new Error(res.error.message);
    const value = res.value as ResponseOf<'studio:preview'>;
    expect(value.url).toContain('tr=w-100:f-webp');
    expect(value.before).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect(value.after).toMatchObject({ width: 100, height: 75, format: 'webp' });
  });

  it('refuses a Filestack chain for an ImageKit file', async () => {
    const res = await dispatch(app.handlers, 'studio:preview', { jobId, chain: { kind: 'filestack', steps: [] } });
    expect(!res.ok && res.error.code).toBe('bad_request');
  });

  it('stores the rendered result as a new ImageKit file', async () => {
    const res = await dispatch(app.handlers, 'studio:store', { jobId, chain: { kind: 'imagekit', steps: [{ width: 100 }] } });
    if (!res.ok) throw new Error(res.error.message);
    const stored = res.value as ResponseOf<'studio:store'>;
    expect(stored.remoteId).not.toBe('');
    const got = await fetch(stored.url);
    expect(got.status).toBe(200);
    const meta = await sharp(Buffer.from(await got.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([100, 75]);
  });
});
