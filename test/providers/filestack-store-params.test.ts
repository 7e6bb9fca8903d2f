import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { storedPath, storeWireConfig } from '../../src-main/protocol/filestack/store-params.js';
import { writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Store parameters (spec §3.6) travel from Ferry's provider to the local cloud, which records
 * them on the stored file; bad ones are typed errors before any request; a policy's path and
 * container rules hold against where the file really lands.
 */

const OPEN = 'StoreParamsOpenKey0001';
const SECURE = 'StoreParamsSecureKey01';
const SECRET = 'store-params-secret';

let dir: string;
let cloud: LocalCloud;

beforeEach(async () => {
  dir = await makeTempDir('ferry-fs-store-');
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: OPEN }, { apikey: SECURE, secret: SECRET, securityRequired: true }],
  });
});
afterEach(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

const ctx = () => ({ signal: new AbortController().signal, onProgress: () => undefined, checkpoint: { load: () => undefined, save: () => undefined, clear: () => undefined } });

function provider(extra: Partial<FilestackProviderOptions>) {
  return createFilestackProvider({
    kind: 'filestack',
    apikey: OPEN,
    uploadBase: cloud.baseUrl,
    cdnBase: cloud.baseUrl,
    fileApiBase: `${cloud.baseUrl}/api/file`,
    partSize: 5 * 1024 * 1024,
    ...extra,
  });
}

async function source(name: string, size: number, relativePath: string | null = null) {
  const file = path.join(dir, name);
  await writeRandomFile(file, size);
  return { path: file, name, relativePath, size, mimetype: 'image/jpeg' };
}

describe('store parameters, end to end', () => {
  it('location, path, container, region, access, workflows and upload_tags reach the stored file (multipart, 2 parts)', async () => {
    const src = await source('a.jpg', 6 * 1024 * 1024, 'trip/day1/a.jpg');
    const p = provider({
      store: { location: 'gcs', path: 'albums/', container: 'my-bucket', region: 'eu-west-1', access: 'private', workflows: ['wf-1', 'wf-2'] },
      uploadTags: { album: 'trip', camera: 'x100' },
    });
    const result = await p.upload(src, ctx());
    const stored = await cloud.storage.get(result.remoteId);
    // The folders survive under store.path; the server's random prefix keeps same-named files apart.
    expect(stored?.key).toMatch(/^albums\/trip\/day1\/[A-Za-z0-9]{16}_a\.jpg$/);
    expect(stored).toMatchObject({
      container: 'my-bucket',
      location: 'gcs',
      region: 'eu-west-1',
      access: 'private',
      workflows: ['wf-1', 'wf-2'],
      uploadTags: { album: 'trip', camera: 'x100' },
      filename: 'a.jpg',
      mimetype: 'image/jpeg',
    });
    // The metadata API reports the same key and container.
    const meta = (await (await fetch(`${cloud.baseUrl}/api/file/${result.remoteId}/metadata`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ key: stored?.key, container: 'my-bucket', location: 'gcs' });
  });

  it('the same store object travels with intelligent ingestion', async () => {
    await cloud.close();
    cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud2'), apps: [{ apikey: OPEN, intelligentIngestion: true }] });
    const src = await source('b.jpg', 300_000, 'x/b.jpg');
    const p = provider({ intelligent: true, store: { path: 'fii', container: 'c2', location: 'azure' }, uploadTags: { k: 'v' } });
    const result = await p.upload(src, ctx());
    const stored = await cloud.storage.get(result.remoteId);
    expect(stored?.key).toMatch(/^fii\/x\/[A-Za-z0-9]{16}_b\.jpg$/);
    expect(stored).toMatchObject({ container: 'c2', location: 'azure', uploadTags: { k: 'v' } });
  });

  it('exactKeys: the whole relativePath is the key, with no random prefix', async () => {
    const first = await provider({ store: { path: 'exact/' }, exactKeys: true }).upload(await source('h.jpg', 1000, 'set/h.jpg'), ctx());
    expect((await cloud.storage.get(first.remoteId))?.key).toBe('exact/set/h.jpg');
  });

  it('two files with the same relative path get two keys (no overwrite by default)', async () => {
    const p = provider({ store: { path: 'dup' } });
    const a = await p.upload(await source('same.jpg', 1000, 'shoot/same.jpg'), ctx());
    const b = await p.upload(await source('same.jpg', 1200, 'shoot/same.jpg'), ctx());
    const [ka, kb] = [(await cloud.storage.get(a.remoteId))?.key, (await cloud.storage.get(b.remoteId))?.key];
    expect(ka).toMatch(/^dup\/shoot\/[A-Za-z0-9]{16}_same\.jpg$/);
    expect(kb).toMatch(/^dup\/shoot\/[A-Za-z0-9]{16}_same\.jpg$/);
    expect(ka).not.toBe(kb);
  });

  it('without a relativePath a folder path gets the random prefix; pathFromRelativePath:false ignores the structure', async () => {
    const plain = await provider({ store: { path: 'in/' } }).upload(await source('c.jpg', 1000), ctx());
    expect((await cloud.storage.get(plain.remoteId))?.key).toMatch(/^in\/[A-Za-z0-9]{16}_c\.jpg$/);
    const flat = await provider({ store: { path: 'flat/' }, pathFromRelativePath: false }).upload(await source('d.jpg', 1000, 'deep/d.jpg'), ctx());
    expect((await cloud.storage.get(flat.remoteId))?.key).toMatch(/^flat\/[A-Za-z0-9]{16}_d\.jpg$/);
  });

  it('bad store options and upload tags are typed errors before any request', async () => {
    const src = await source('e.jpg', 1000);
    const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    const cases: Partial<FilestackProviderOptions>[] = [
      { store: { location: 'ftp' as never } },
      { store: { access: 'world' as never } },
      { store: { path: 'a/../b' } },
      { uploadTags: tooMany },
      { uploadTags: { k: 'x'.repeat(257) } },
    ];
    // A server that counts what reaches it: nothing may.
    let requests = 0;
    const counter = http.createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(counter.address() as AddressInfo).port}`;
    try {
      for (const extra of cases) {
        const err = await provider({ ...extra, uploadBase: base, cdnBase: base, fileApiBase: base }).upload(src, ctx()).catch((e: unknown) => e);
        expect(toAppError(err)).toMatchObject({ code: 'bad_request', retryable: false });
      }
    } finally {
      await new Promise((resolve) => counter.close(resolve));
    }
    expect(requests).toBe(0);
  });

  it('the local cloud refuses bad store objects and too many tags on the wire with 400', async () => {
    const start = (store: unknown) =>
      fetch(`${cloud.baseUrl}/multipart/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey: OPEN, filename: 'f', size: 10, store }) });
    expect((await start({ location: 'ftp' })).status).toBe(400);
    expect((await start({ location: 's3', workflows: [{ nope: 1 }] })).status).toBe(400);
    const ok = await start({ location: 'S3' });
    expect(ok.status).toBe(200);
    const s = (await ok.json()) as { uri: string; region: string; upload_id: string };
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    const complete = await fetch(`${cloud.baseUrl}/multipart/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apikey: OPEN, ...s, size: 10, parts: [{ part_number: 1, etag: 'x' }], upload_tags: tags }),
    });
    expect(complete.status).toBe(400);
    expect(await complete.text()).toMatch(/upload_tags has 11 keys/);
  });

  it('a policy path/container rule holds against the real key: inside passes, outside and "no path" are 403', async () => {
    const security = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['pick', 'read', 'stat'], path: 'albums/.*', container: 'ok-bucket' }, SECRET);
    const base = { apikey: SECURE, security };
    const inside = await provider({ ...base, store: { path: 'albums/', container: 'ok-bucket' } }).upload(await source('f.jpg', 1000, 'f.jpg'), ctx());
    expect((await cloud.storage.get(inside.remoteId))?.key).toMatch(/^albums\/[A-Za-z0-9]{16}_f\.jpg$/);
    for (const store of [{ path: 'other/', container: 'ok-bucket' }, { container: 'ok-bucket' }, { path: 'albums/', container: 'bad-bucket' }]) {
      const err = await provider({ ...base, store }).upload(await source('g.jpg', 1000), ctx()).catch((e: unknown) => e);
      expect(toAppError(err)).toMatchObject({ code: 'forbidden', retryable: false });
    }
  });
});

describe('storedPath and storeWireConfig (pure)', () => {
  it.each([
    [undefined, null, false, undefined],
    ['in/', null, false, 'in/'],
    ['in/x.jpg', null, false, 'in/x.jpg'],
    ['in', 'a/b.jpg', false, 'in/a/'],
    ['in/', 'a/b.jpg', false, 'in/a/'],
    ['in', 'b.jpg', false, 'in/'],
    [undefined, 'b.jpg', false, undefined],
    [undefined, './a//../b.jpg', false, 'a/'],
    ['', 'a\\b.jpg', false, 'a/'],
    ['in', 'a/b.jpg', true, 'in/a/b.jpg'],
    [undefined, './a//../b.jpg', true, 'a/b.jpg'],
    ['', 'a\\b.jpg', true, 'a/b.jpg'],
  ])('storedPath(%j, %j, exact %j) = %j', (base, rel, exact, want) => {
    expect(storedPath(base, rel, exact)).toBe(want);
  });

  it('location defaults to s3, Python-style "S3" is normalised, empty tags and workflows are left out', () => {
    expect(storeWireConfig({}, { relativePath: null })).toEqual({ store: { location: 's3' } });
    expect(storeWireConfig({ store: { location: 'S3' as never, workflows: [] }, uploadTags: {} }, { relativePath: null })).toEqual({ store: { location: 's3' } });
  });
});
