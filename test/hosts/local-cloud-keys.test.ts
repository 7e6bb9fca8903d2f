/**
 * Issue 13, hole 3: the app's embedded local cloud has per-install random keys (kept 0600 in its
 * data folder, the same on every launch), refuses the old public constants, still owns files an
 * older install stored under them, and lets in its own window's origin only.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/hosts/compose.js';
import { startWebHost } from '../../src-main/hosts/web/web-host.js';
import { DEFAULT_IMAGEKIT_PRIVATE_KEY } from '../../src-main/localcloud/imagekit/routes.js';
import { INSTALL_KEYS_FILE, type InstallKeys } from '../../src-main/localcloud/install-keys.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-keys-');
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('embedded local cloud keys', () => {
  it('makes random keys once per install (0600), refuses the old constants, and keeps old files owned', async () => {
    const dataDir = path.join(dir, 'data');
    // An install from before per-install keys: a file stored under the public constant.
    const old = await startLocalCloud({ dataDir: path.join(dataDir, 'localcloud') });
    const legacy = await old.storage.putBuffer(Buffer.from('legacy bytes'), { filename: 'old.txt', mimetype: 'text/plain', apikey: DEFAULT_LOCAL_APIKEY, key: 'old.txt', path: null, container: 'c', location: 's3' });
    await old.close();

    const app = await createApp({ dataDir, host: 'web' });
    let keys: InstallKeys;
    try {
      const file = path.join(dataDir, 'localcloud', INSTALL_KEYS_FILE);
      keys = JSON.parse(await readFile(file, 'utf8')) as InstallKeys;
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(keys.apikey).toMatch(/^[A-Za-z0-9]{22}$/);
      expect(keys.apikey).not.toBe(DEFAULT_LOCAL_APIKEY);
      expect(keys.imagekitPrivateKey).not.toBe(DEFAULT_IMAGEKIT_PRIVATE_KEY);
      const base = app.localCloud.baseUrl;
      // The old constants open nothing any more.
      const start = await fetch(`${base}/multipart/start`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, filename: 'a', mimetype: 'text/plain', size: 1 }) });
      expect(start.status).toBe(403);
      expect((await get(`${base}/v1/files`, { Authorization: basic(DEFAULT_IMAGEKIT_PRIVATE_KEY) })).status).toBe(403);
      expect((await get(`${base}/v1/files`, { Authorization: basic(keys.imagekitPrivateKey) })).status).toBe(200);
      // The old file belongs to the install's key now (and no longer to the constant).
      expect((await fetch(`${base}/api/file/${legacy.handle}?key=${DEFAULT_LOCAL_APIKEY}`, { method: 'DELETE' })).status).toBe(403);
      expect((await fetch(`${base}/api/file/${legacy.handle}?key=${keys.apikey}`, { method: 'DELETE' })).status).toBe(200);
    } finally {
      await app.close();
    }
    const again = await createApp({ dataDir, host: 'web' });
    await again.close();
    expect(JSON.parse(await readFile(path.join(dataDir, 'localcloud', INSTALL_KEYS_FILE), 'utf8'))).toEqual(keys);
  });

  it("allows its own window's origin only: the web host's once it listens, app://ferry in Electron", async () => {
    const staticDir = path.join(dir, 'static');
    await mkdir(staticDir, { recursive: true });
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    const web = await createApp({ dataDir: path.join(dir, 'web'), host: 'web' });
    const host = await startWebHost({ app: web, port: 0, staticDir });
    try {
      const own = await get(`${web.localCloud.baseUrl}/`, { Origin: host.origin });
      expect([own.status, own.headers['access-control-allow-origin']]).toEqual([200, host.origin]);
      expect((await get(`${web.localCloud.baseUrl}/`, { Origin: 'app://ferry' })).status).toBe(403);
    } finally {
      await host.close();
      await web.close();
    }
    const electron = await createApp({ dataDir: path.join(dir, 'electron'), host: 'electron' });
    try {
      const own = await get(`${electron.localCloud.baseUrl}/`, { Origin: 'app://ferry' });
      expect([own.status, own.headers['access-control-allow-origin']]).toEqual([200, 'app://ferry']);
      expect((await get(`${electron.localCloud.baseUrl}/`, { Origin: 'https://evil.example' })).status).toBe(403);
    } finally {
      await electron.close();
    }
  });
});
