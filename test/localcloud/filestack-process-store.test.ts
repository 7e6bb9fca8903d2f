import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
let origin: http.Server;
let originUrl: string;
let jpg: Buffer;
let handle: string;
const SECURE_KEY = 'SecureStoreAppKey00001';
const SECRET = 'store-secret';

type Json = Record<string, unknown>;

async function call(route: string, init: RequestInit): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${cloud.baseUrl}${route}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

const stored = (h: unknown): Promise<Buffer> => readFile(cloud.storage.blobPath(String(h)));

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-store-');
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: DEFAULT_LOCAL_APIKEY }, { apikey: SECURE_KEY, secret: SECRET, securityRequired: true }],
    filestack: { fetch: { maxBytes: 200_000 } },
    // The origin server below is on loopback, which the cloud refuses unless told otherwise.
    allowPrivateFetch: ['127.0.0.1'],
  });
  jpg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  handle = (await cloud.storage.putBuffer(jpg, { filename: 'photo.jpg', mimetype: 'image/jpeg', apikey: DEFAULT_LOCAL_APIKEY, key: 'k', path: null, container: 'c', location: 's3' })).handle;
  // A tiny origin server the cloud downloads from (loopback, real HTTP).
  origin = http.createServer((req, res) => {
    if (req.url === '/photo.jpg') {
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpg.length });
      res.end(jpg);
    } else if (req.url === '/big.bin') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(Buffer.alloc(300_000));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await cloud.close();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
  await removeTempDir(dir);
});

describe('store in a processing chain (spec §7.6)', () => {
  it('renders the chain before store and stores the result as a new file (GET and POST)', async () => {
    const rendered = Buffer.from(await (await fetch(`${cloud.baseUrl}/resize=width:100/output=format:png/${handle}`)).arrayBuffer());
    for (const method of ['GET', 'POST']) {
      const r = await call(`/${DEFAULT_LOCAL_APIKEY}/resize=width:100/output=format:png/store=location:S3,container:bucket,path:"thumbs/"/${handle}`, { method });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json).toMatchObject({ container: 'bucket', type: 'image/png', mimetype: 'image/png', filename: 'photo.png', size: rendered.length });
      expect(String(r.json.key)).toMatch(/^thumbs\/.+_photo\.png$/);
      expect(r.json.url).toBe(`${cloud.baseUrl}/${String(r.json.handle)}`);
      expect(r.json.handle).not.toBe(handle);
      expect((await stored(r.json.handle)).equals(rendered)).toBe(true);
      const back = await fetch(String(r.json.url));
      expect(back.headers.get('content-type')).toBe('image/png');
    }
  });

  it('stores a plain copy, stores from an external URL, and refuses tasks after store', async () => {
    const copy = await call(`/store=filename:copy.jpg/${handle}`, { method: 'POST' });
    expect(copy.status).toBe(200);
    expect(copy.json.filename).toBe('copy.jpg');
    expect((await stored(copy.json.handle)).equals(jpg)).toBe(true);
    const ext = await call(`/${DEFAULT_LOCAL_APIKEY}/resize=width:64/store/${originUrl}/photo.jpg`, { method: 'POST' });
    expect(ext.status, JSON.stringify(ext.json)).toBe(200);
    expect((await sharp(await stored(ext.json.handle)).metadata()).width).toBe(64);
    expect((await call(`/store/resize=width:10/${handle}`, { method: 'GET' })).status).toBe(400);
    expect((await call(`/store=location:mars/${handle}`, { method: 'GET' })).status).toBe(400);
  });
});

describe('POST /process: store from URL (spec §5.2)', () => {
  it('fetches the URL and stores it, with both apikey spellings and source objects', async () => {
    const r = await call('/process', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [`${originUrl}/photo.jpg`], tasks: [{ name: 'store', params: { location: 's3', filename: 'remote.jpg' } }], upload_tags: { a: 'b' } }),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ filename: 'remote.jpg', size: jpg.length, type: 'image/jpeg', mimetype: 'image/jpeg', upload_tags: { a: 'b' } });
    expect((await stored(r.json.handle)).equals(jpg)).toBe(true);
    const go = await call('/process', {
      method: 'POST',
      body: JSON.stringify({ apiKey: DEFAULT_LOCAL_APIKEY, sources: [{ source: `${originUrl}/photo.jpg`, headers: { 'X-Test': '1' } }], tasks: [{ name: 'store' }] }),
    });
    expect(go.status).toBe(200);
    expect(go.json.filename).toBe('photo.jpg');
  });

  it('enforces security, size caps and reports fetch failures', async () => {
    const body = (extra: Json[] = []) =>
      JSON.stringify({ apikey: SECURE_KEY, sources: [`${originUrl}/photo.jpg`], tasks: [{ name: 'store', params: { location: 's3' } }, ...extra] });
    expect((await call('/process', { method: 'POST', body: body() })).status).toBe(403);
    const sec = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['store'] }, SECRET);
    const ok = await call('/process', { method: 'POST', body: body([{ name: 'security', params: sec }]) });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    const missing = await call('/process', { method: 'POST', body: JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [`${originUrl}/nope`], tasks: [{ name: 'store' }] }) });
    expect(missing.status).toBe(400);
    expect(String(missing.json.message)).toMatch(/404/);
    const big = await call('/process', { method: 'POST', body: JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [`${originUrl}/big.bin`], tasks: [{ name: 'store' }] }) });
    expect(big.status).toBe(413);
    expect((await call('/process', { method: 'POST', body: JSON.stringify({ apikey: 'UnknownApiKey000000000', sources: ['http://x/'], tasks: [{ name: 'store' }] }) })).status).toBe(403);
  });
});

describe('POST /api/store/<LOCATION> (spec §5.1)', () => {
  it('accepts raw bytes, form-data fileUpload and url= forms', async () => {
    const raw = await call(`/api/store/S3?key=${DEFAULT_LOCAL_APIKEY}&filename=raw.jpg`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: jpg });
    expect(raw.status, JSON.stringify(raw.json)).toBe(200);
    expect(raw.json).toMatchObject({ size: jpg.length, type: 'image/jpeg', filename: 'raw.jpg' });
    expect(raw.json.handle).toBeUndefined();
    const rawHandle = String(raw.json.url).split('/').pop();
    expect((await stored(rawHandle)).equals(jpg)).toBe(true);

    const form = new FormData();
    form.append('fileUpload', new Blob([jpg], { type: 'image/jpeg' }), 'form.jpg');
    const fd = await call(`/api/store/s3?key=${DEFAULT_LOCAL_APIKEY}&path=up/`, { method: 'POST', body: form });
    expect(fd.status, JSON.stringify(fd.json)).toBe(200);
    expect(fd.json).toMatchObject({ filename: 'form.jpg', type: 'image/jpeg', size: jpg.length });
    expect(String(fd.json.key)).toMatch(/^up\//);

    const byUrl = await call(`/api/store/S3?key=${DEFAULT_LOCAL_APIKEY}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url: `${originUrl}/photo.jpg` }).toString(),
    });
    expect(byUrl.status).toBe(200);
    expect(byUrl.json).toMatchObject({ filename: 'photo.jpg', size: jpg.length });

    const b64 = await call(`/api/store/S3?key=${DEFAULT_LOCAL_APIKEY}&base64decode=true&filename=t.txt`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('hello').toString('base64') });
    expect(b64.json).toMatchObject({ size: 5, type: 'text/plain' });
  });

  it('checks the apikey and the policy', async () => {
    expect((await call('/api/store/S3', { method: 'POST', body: jpg })).status).toBe(403);
    expect((await call(`/api/store/S3?key=${SECURE_KEY}`, { method: 'POST', body: jpg })).status).toBe(403);
    const sec = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['store'] }, SECRET);
    const ok = await call(`/api/store/S3?key=${SECURE_KEY}&policy=${encodeURIComponent(sec.policy)}&signature=${sec.signature}`, { method: 'POST', body: jpg });
    expect(ok.status).toBe(200);
  });
});
