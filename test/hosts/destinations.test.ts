import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { FILESTACK_ENV, policyTtlSeconds } from '../../src-main/hosts/destinations.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Keychain-built destinations, with secrets supplied through FERRY_* environment variables (the
 * env-store, read live) and the `filestack` destination pointed at a second local cloud through
 * FERRY_FILESTACK_*_BASE. The keyring variant (real Secret Service) is destinations-keyring.test.ts.
 */
const APIKEY = 'FerryLocalCloudKey0001';
const SECRET = 'destinations-test-secret';
const ENV_KEYS = ['FERRY_FILESTACK_APIKEY', 'FERRY_FILESTACK_SECRET', 'FERRY_IMAGEKIT_PRIVATE_KEY', ...Object.values(FILESTACK_ENV)];

let dir: string;
let cloud: LocalCloud | null = null;
let app: FerryApp | null = null;
const saved = new Map<string, string | undefined>();

async function startCloud(secured: boolean): Promise<LocalCloud> {
  const c = await startLocalCloud({
    dataDir: path.join(dir, 'remote'),
    apps: [secured ? { apikey: APIKEY, secret: SECRET, securityRequired: true } : { apikey: APIKEY }],
  });
  cloud = c;
  process.env[FILESTACK_ENV.uploadBase] = c.baseUrl;
  process.env[FILESTACK_ENV.cdnBase] = c.baseUrl;
  process.env[FILESTACK_ENV.apiBase] = `${c.baseUrl}/api/file`;
  return c;
}

async function openApp(): Promise<FerryApp> {
  // No session bus: the keychain is unavailable and the env-store supplies the secrets.
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir], watchStabilityMs: 50 });
  await app.destinations.refresh();
  return app;
}

async function list(a: FerryApp) {
  const r = await dispatch(a.handlers, 'destinations:list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as { destinations: { kind: string; configured: boolean; reason: string | null }[]; defaultDestination: string };
}

beforeEach(async () => {
  for (const k of [...ENV_KEYS, 'DBUS_SESSION_BUS_ADDRESS']) saved.set(k, process.env[k]);
  for (const k of ENV_KEYS) delete process.env[k];
  dir = await makeTempDir('ferry-destinations-');
});
afterEach(async () => {
  await app?.close();
  app = null;
  await cloud?.close();
  cloud = null;
  for (const [k, v] of saved) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await removeTempDir(dir);
});

describe('destinations from the keychain', () => {
  it('a stored Filestack key configures `filestack`; an upload lands with exact bytes; removing the key unconfigures it', async () => {
    const remote = await startCloud(false);
    const a = await openApp();
    expect((await list(a)).destinations.find((d) => d.kind === 'filestack')).toMatchObject({ configured: false });

    process.env.FERRY_FILESTACK_APIKEY = APIKEY;
    await a.destinations.refresh();
    expect((await list(a)).destinations.find((d) => d.kind === 'filestack')).toEqual({ kind: 'filestack', configured: true, reason: null });

    const file = path.join(dir, 'photo.bin');
    const bytes = await writeRandomFile(file, 300_000);
    const added = await dispatch(a.handlers, 'jobs:add-paths', { paths: [file], destination: 'filestack' });
    expect(added.ok).toBe(true);
    await a.engine.whenIdle();
    const job = a.engine.list()[0];
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind !== 'done') return;
    // The link is on the "remote" cloud, not on the app's own local cloud.
    expect(job.status.result.url.startsWith(remote.baseUrl)).toBe(true);
    expect(job.status.result.url.startsWith(a.localCloud.baseUrl)).toBe(false);
    const got = Buffer.from(await (await fetch(job.status.result.url)).arrayBuffer());
    expect(hashBytes(got)).toBe(hashBytes(bytes));

    delete process.env.FERRY_FILESTACK_APIKEY;
    await a.destinations.refresh();
    expect((await list(a)).destinations.find((d) => d.kind === 'filestack')?.configured).toBe(false);
    const refused = await dispatch(a.handlers, 'jobs:add-paths', { paths: [file], destination: 'filestack' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('unsupported');
  });

  it('Filestack storage settings (location, folder, container) shape where uploads land; a dropped folder keeps its structure', async () => {
    const remote = await startCloud(false);
    process.env.FERRY_FILESTACK_APIKEY = APIKEY;
    const a = await openApp();
    const bad = await dispatch(a.handlers, 'settings:set', { filestackStorePath: '../outside' });
    expect(bad.ok).toBe(false);
    const set = await dispatch(a.handlers, 'settings:set', { filestackLocation: 'gcs', filestackStorePath: 'ferry/inbox', filestackContainer: 'team-bucket' });
    expect(set.ok).toBe(true);
    const folder = path.join(dir, 'shoot');
    await mkdir(path.join(folder, 'day1'), { recursive: true });
    await writeRandomFile(path.join(folder, 'day1', 'a.jpg'), 20_000);
    const added = await dispatch(a.handlers, 'jobs:add-paths', { paths: [folder], destination: 'filestack' });
    expect(added.ok).toBe(true);
    await a.engine.whenIdle();
    const job = a.engine.list()[0];
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind !== 'done') return;
    const stored = await remote.storage.get(job.status.result.remoteId);
    expect(stored?.key).toMatch(/^ferry\/inbox\/shoot\/day1\/[A-Za-z0-9]{16}_a\.jpg$/);
    expect(stored).toMatchObject({ container: 'team-bucket', location: 'gcs' });
  });

  it('library, studio and delete reach the same (security-required) account the upload went to', async () => {
    const remote = await startCloud(true);
    process.env.FERRY_FILESTACK_APIKEY = APIKEY;
    process.env.FERRY_FILESTACK_SECRET = SECRET;
    const a = await openApp();
    const file = path.join(dir, 'beach.png');
    await writeFile(file, await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer());
    const added = await dispatch(a.handlers, 'jobs:add-paths', { paths: [file], destination: 'filestack' });
    expect(added.ok).toBe(true);
    await a.engine.whenIdle();
    const job = a.engine.list()[0];
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind !== 'done') return;
    const handle = job.status.result.remoteId;

    // Studio renders on the remote account, signing the processing URL with the app secret.
    const preview = await dispatch(a.handlers, 'studio:preview', { jobId: job.id, chain: { kind: 'filestack', steps: [{ name: 'resize', params: { width: 80 } }] } });
    expect(preview.ok, JSON.stringify(preview)).toBe(true);
    if (preview.ok) {
      const value = preview.value as { url: string; after: { width: number; height: number } };
      expect(value.url.startsWith(remote.baseUrl)).toBe(true);
      expect(value.after).toMatchObject({ width: 80, height: 50 });
    }

    // The library deletes it from the remote account (signed with the app secret), not elsewhere.
    expect(await remote.storage.get(handle)).not.toBeNull();
    const removed = await dispatch(a.handlers, 'library:delete', { id: job.id });
    expect(removed.ok, JSON.stringify(removed)).toBe(true);
    expect(await remote.storage.get(handle)).toBeNull();
  });

  it('with the app secret stored, each upload signs its own policy for a security-required app', async () => {
    await startCloud(true);
    process.env.FERRY_FILESTACK_APIKEY = APIKEY;
    const a = await openApp();
    const file = path.join(dir, 'a.bin');
    await writeRandomFile(file, 50_000);
    await dispatch(a.handlers, 'jobs:add-paths', { paths: [file], destination: 'filestack' });
    await a.engine.whenIdle();
    // Without the secret the secured app refuses the upload.
    expect(a.engine.list()[0]?.status.kind).not.toBe('done');
    await a.engine.close();
    await a.close();

    process.env.FERRY_FILESTACK_SECRET = SECRET;
    const b = await openApp();
    const second = path.join(dir, 'b.bin');
    const bytes = await writeRandomFile(second, 60_000);
    await dispatch(b.handlers, 'jobs:clear-finished', {});
    for (const j of b.engine.list()) b.engine.cancel(j.id);
    const added = await dispatch(b.handlers, 'jobs:add-paths', { paths: [second], destination: 'filestack' });
    expect(added.ok).toBe(true);
    await b.engine.whenIdle();
    const job = b.engine.list().find((j) => j.name === 'b.bin');
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind === 'done') expect(job.status.result.md5).toBe(hashBytes(bytes, 'md5'));
  });

  it('the default destination follows the setting only while that destination is configured', async () => {
    await startCloud(false);
    const a = await openApp();
    const set = await dispatch(a.handlers, 'settings:set', { defaultDestination: 'filestack', linkFormat: 'markdown', theme: 'dark' });
    expect(set.ok).toBe(true);
    expect((await list(a)).defaultDestination).toBe('local');
    const info = await dispatch(a.handlers, 'app:info', {});
    expect(info.ok && (info.value as { defaultDestination: string }).defaultDestination).toBe('local');

    process.env.FERRY_FILESTACK_APIKEY = APIKEY;
    await a.destinations.refresh();
    expect((await list(a)).defaultDestination).toBe('filestack');
    const file = path.join(dir, 'c.bin');
    await writeRandomFile(file, 10_000);
    await dispatch(a.handlers, 'jobs:add-paths', { paths: [file] });
    expect(a.engine.list()[0]?.destination).toBe('filestack');
    await a.engine.whenIdle();
  });

  it('ImageKit needs both the private key and an URL endpoint', async () => {
    await startCloud(false);
    process.env.FERRY_IMAGEKIT_PRIVATE_KEY = 'private_FerryLocalCloudKey0001';
    const a = await openApp();
    const ik = async () => (await list(a)).destinations.find((d) => d.kind === 'imagekit');
    expect(await ik()).toMatchObject({ configured: false, reason: expect.stringContaining('URL endpoint') });
    await dispatch(a.handlers, 'settings:set', { imagekitUrlEndpoint: `${a.localCloud.baseUrl}/ik/ferry` });
    await a.destinations.refresh();
    expect(await ik()).toMatchObject({ configured: true });
  });
});

describe('settings validation', () => {
  it('accepts the new fields, refuses bad values and keeps unnamed fields on a patch', async () => {
    await startCloud(false);
    const a = await openApp();
    const ok = await dispatch(a.handlers, 'settings:set', { linkFormat: 'html' });
    expect(ok.ok && ok.value).toMatchObject({ linkFormat: 'html', theme: 'system', defaultDestination: 'local', imagekitUrlEndpoint: '' });
    await dispatch(a.handlers, 'settings:set', { fileConcurrency: 4 });
    expect(a.settings.get()).toMatchObject({ linkFormat: 'html', fileConcurrency: 4 });
    for (const bad of [{ linkFormat: 'rtf' }, { theme: 'blue' }, { defaultDestination: 'dropbox' }, { imagekitUrlEndpoint: 'ftp://x/y' }, { imagekitUrlEndpoint: 'javascript:alert(1)' }]) {
      const r = await dispatch(a.handlers, 'settings:set', bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('bad_request');
    }
    expect(a.settings.get().linkFormat).toBe('html');
  });

  it('policy lifetime grows with the file and is capped at a day', () => {
    expect(policyTtlSeconds(0)).toBe(3600);
    expect(policyTtlSeconds(65_536 * 100)).toBe(3700);
    expect(policyTtlSeconds(Number.MAX_SAFE_INTEGER)).toBe(86_400);
  });
});

describe('jobs:add-url', () => {
  let server: Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('downloads the link on the main side and queues it; a 404 comes back as not_found', async () => {
    await startCloud(false);
    const a = await openApp();
    const body = Buffer.alloc(40_000, 7);
    server = createServer((req, res) => {
      if (req.url === '/pic') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(body);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const added = await dispatch(a.handlers, 'jobs:add-url', { url: `${base}/pic` });
    expect(added.ok).toBe(true);
    await a.engine.whenIdle();
    const job = a.engine.list()[0];
    expect(job?.name).toBe('pic.png');
    expect(job?.status.kind).toBe('done');
    if (job?.status.kind === 'done') expect(hashBytes(Buffer.from(await (await fetch(job.status.result.url)).arrayBuffer()))).toBe(hashBytes(body));
    const missing = await dispatch(a.handlers, 'jobs:add-url', { url: `${base}/nope` });
    expect(!missing.ok && missing.error.code).toBe('not_found');
    const bad = await dispatch(a.handlers, 'jobs:add-url', { url: 'file:///etc/passwd' });
    expect(!bad.ok && bad.error.code).toBe('bad_request');
  });
});
