import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import type { TaskStep } from '../../src-shared/filestack/types.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { fetchTransformed, storeTransformed, transformUrl, type ProcessingConfig } from '../../src-main/providers/filestack/processing.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { storeUrl } from '../../src-main/providers/filestack/upload-url.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
let origin: http.Server;
let originUrl: string;
let png: Buffer;
let openHandle: string;
let secureHandle: string;
const SECURE_KEY = 'SecureClientAppKey0001';
const SECRET = 'client-secret';

const open = (): ProcessingConfig => ({ apikey: DEFAULT_LOCAL_APIKEY, cdnBase: cloud.baseUrl });
const secured = (extra: Partial<ProcessingConfig> = {}): ProcessingConfig => ({ apikey: SECURE_KEY, cdnBase: cloud.baseUrl, secret: SECRET, ...extra });

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-proc-client-');
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: DEFAULT_LOCAL_APIKEY }, { apikey: SECURE_KEY, secret: SECRET, securityRequired: true }],
    // URL sources come from a loopback fixture, which the cloud refuses unless told otherwise.
    allowPrivateFetch: ['127.0.0.1'],
  });
  png = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#884422' } }).png().toBuffer();
  const meta = { filename: 'wide.png', mimetype: 'image/png', key: 'k', path: null, container: 'c', location: 's3' };
  openHandle = (await cloud.storage.putBuffer(png, { ...meta, apikey: DEFAULT_LOCAL_APIKEY })).handle;
  secureHandle = (await cloud.storage.putBuffer(png, { ...meta, apikey: SECURE_KEY })).handle;
  origin = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.end(png);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/pic.png`;
});
afterAll(async () => {
  await cloud.close();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
  await removeTempDir(dir);
});

describe('Filestack processing client against the local cloud', () => {
  it('builds URLs the server renders, in both serialisation styles', async () => {
    const steps: TaskStep[] = [{ name: 'resize', params: { width: 100 } }, { name: 'output', params: { format: 'webp' } }];
    for (const style of ['js', 'python'] as const) {
      const url = transformUrl({ ...open(), style }, { steps, source: openHandle });
      expect(url.startsWith(`${cloud.baseUrl}/${DEFAULT_LOCAL_APIKEY}/resize=width:100/`)).toBe(true);
      const got = await fetchTransformed({ ...open(), style }, { steps, source: openHandle });
      expect(got.mimetype).toBe('image/webp');
      expect(await sharp(got.data).metadata()).toMatchObject({ width: 100, height: 50, format: 'webp' });
    }
    const fromUrl = await fetchTransformed(open(), { steps: [{ name: 'rotate', params: { deg: 90 } }], source: originUrl });
    expect(await sharp(fromUrl.data).metadata()).toMatchObject({ width: 200, height: 400 });
  });

  it('signs per call from the secret and surfaces typed errors', async () => {
    const got = await fetchTransformed(secured(), { steps: [{ name: 'crop', params: { dim: [0, 0, 50, 40] } }], source: secureHandle });
    expect(await sharp(got.data).metadata()).toMatchObject({ width: 50, height: 40 });
    const unsigned = await fetchTransformed({ apikey: SECURE_KEY, cdnBase: cloud.baseUrl }, { steps: [{ name: 'flip' }], source: secureHandle }).catch((e: unknown) => e);
    expect(unsigned).toBeInstanceOf(FerryError);
    expect((unsigned as FerryError).error.code).toBe('forbidden');
    const missing = await fetchTransformed(open(), { steps: [{ name: 'flip' }], source: 'AAAAAAAAAAAAAAAAAAAA' }).catch((e: unknown) => e);
    expect((missing as FerryError).error.code).toBe('not_found');
    const unsupported = await fetchTransformed(open(), { steps: [{ name: 'oil_paint' }], source: openHandle }).catch((e: unknown) => e);
    expect((unsupported as FerryError).error).toMatchObject({ code: 'bad_request', message: 'Task "oil_paint" is not supported by the local cloud.' });
    // A face task is a 501: typed `unsupported`, never retried.
    const faces = await fetchTransformed(open(), { steps: [{ name: 'pixelate_faces' }], source: openHandle }).catch((e: unknown) => e);
    expect((faces as FerryError).error).toMatchObject({ code: 'unsupported', retryable: false, message: expect.stringMatching(/pixelate_faces/) });
    // Invalid params never leave the client.
    expect(() => transformUrl(open(), { steps: [{ name: 'blur', params: { amount: 99 } }], source: openHandle })).toThrow(/blur.*amount/);
  });

  it('stores a rendered chain and returns the new file', async () => {
    const res = await storeTransformed(secured(), { steps: [{ name: 'resize', params: { width: 40 } }], source: secureHandle, store: { filename: 'thumb.png', path: 'thumbs/' } });
    expect(res).toMatchObject({ filename: 'thumb.png', mimetype: 'image/png', container: 'ferry-local', url: `${cloud.baseUrl}/${res.remoteId}` });
    expect(res.key).toMatch(/^thumbs\//);
    const bytes = await readFile(cloud.storage.blobPath(res.remoteId));
    expect(bytes.length).toBe(res.size);
    expect((await sharp(bytes).metadata()).width).toBe(40);
  });

  it('stores a URL via POST /process, with a ready-made or per-call policy', async () => {
    const a = await storeUrl(open(), originUrl, { filename: 'remote.png' }, undefined, { uploadTags: { from: 'test' } });
    expect(a).toMatchObject({ filename: 'remote.png', size: png.length, mimetype: 'image/png', uploadTags: { from: 'test' } });
    expect((await readFile(cloud.storage.blobPath(a.remoteId))).equals(png)).toBe(true);
    const b = await storeUrl(secured(), originUrl);
    expect(b.size).toBe(png.length);
    const sec = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 60, call: ['store'] }, SECRET);
    const c = await storeUrl({ apikey: SECURE_KEY, cdnBase: cloud.baseUrl }, originUrl, {}, sec);
    expect(c.remoteId).not.toBe(b.remoteId);
    const refused = await storeUrl({ apikey: SECURE_KEY, cdnBase: cloud.baseUrl }, originUrl).catch((e: unknown) => e);
    expect((refused as FerryError).error.code).toBe('forbidden');
  });
});
