import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryItem, SignedLink } from '../../src-shared/ipc/channels.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { openSignedLinkStore } from '../../src-main/hosts/library/links-store.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** The local cloud's built-in ImageKit account (see src-main/localcloud/imagekit/account.ts). */
const IK_PRIVATE_KEY = 'private_FerryLocalCloudKey0001';
const ENV_NAMES = ['FERRY_IMAGEKIT_PRIVATE_KEY', 'FERRY_IMAGEKIT_URL_ENDPOINT', 'FERRY_IMAGEKIT_UPLOAD_BASE', 'FERRY_IMAGEKIT_API_BASE'];

let dir: string;
let ikCloud: LocalCloud;
let app: FerryApp;
let photo: Buffer;
const savedEnv: Record<string, string | undefined> = {};

async function call<T>(channel: string, payload: unknown): Promise<T> {
  const res = await dispatch(app.handlers, channel, payload);
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-library-ik-');
  // A separate local cloud plays the ImageKit account, configured the way a user would (env).
  ikCloud = await startLocalCloud({ dataDir: path.join(dir, 'ik-cloud'), port: 0, host: '127.0.0.1' });
  for (const n of ENV_NAMES) savedEnv[n] = process.env[n];
  process.env.FERRY_IMAGEKIT_PRIVATE_KEY = IK_PRIVATE_KEY;
  process.env.FERRY_IMAGEKIT_URL_ENDPOINT = `${ikCloud.baseUrl}/ik/ferry`;
  process.env.FERRY_IMAGEKIT_UPLOAD_BASE = ikCloud.baseUrl;
  process.env.FERRY_IMAGEKIT_API_BASE = ikCloud.baseUrl;
  app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir] });
  photo = await sharp({ create: { width: 300, height: 240, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg().toBuffer();
  await mkdir(path.join(dir, 'files'), { recursive: true });
  const file = path.join(dir, 'files', 'sky.jpg');
  await writeFile(file, photo);
  await app.engine.addPaths([file], 'imagekit');
  await app.engine.whenIdle();
}, 30_000);

afterAll(async () => {
  await app?.close();
  await ikCloud?.close();
  for (const n of ENV_NAMES) {
    if (savedEnv[n] === undefined) delete process.env[n];
    else process.env[n] = savedEnv[n];
  }
  await removeTempDir(dir);
});

describe('library with ImageKit', () => {
  it('lists the upload with a tr:w-96,h-96 thumbnail, signs an expiring link and deletes remotely', async () => {
    const { items } = await call<{ items: LibraryItem[] }>('library:list', { destination: 'imagekit' });
    const item = items[0];
    expect(item).toMatchObject({ name: 'sky.jpg', destination: 'imagekit', size: photo.length, mimetype: 'image/jpeg' });
    if (!item) return;
    expect(item.thumbnailUrl).toContain('/ik/ferry/tr:w-96,h-96/');
    const thumb = await sharp(Buffer.from(await (await fetch(item.thumbnailUrl ?? '')).arrayBuffer())).metadata();
    expect([thumb.width, thumb.height]).toEqual([96, 96]);

    const link = await call<SignedLink>('links:sign', { id: item.id, ttlSeconds: 7200 });
    expect(link.url).toMatch(/[?&]ik-t=\d+&ik-s=[0-9a-f]{40}$/);
    expect(link.calls).toEqual([]);
    const expiry = Number(/ik-t=(\d+)/.exec(link.url)?.[1]);
    expect(link.expiresAt).toBe(expiry * 1000);
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    // Flip the first signature digit (always a change, whatever it was).
    const tampered = link.url.replace(/ik-s=(.)/, (_m, c: string) => `ik-s=${c === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(link.url);
    expect((await fetch(tampered)).status).not.toBe(200);

    await call('library:delete', { id: item.id });
    expect((await fetch(item.url)).status).toBe(404);
    expect((await call<{ total: number }>('library:list', {})).total).toBe(0);
  });
});

describe('library pieces', () => {
  it('the memory journal answers the same queries as SQLite (search on the name, paging, remove)', () => {
    const j = createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, { info() {}, warn() {}, error() {} });
    const entry = (id: string, p: string, at: number, destination: 'local' | 'imagekit' = 'local') => ({
      jobId: id, destination, sourcePath: p, size: 1, sha256: 'a'.repeat(64), url: `http://x/${id}`, remoteId: id, finishedAt: at,
    });
    j.history.append(entry('a', '/photos/Beach.png', 1));
    j.history.append(entry('b', 'C:\\photos\\beach-2.PNG', 2, 'imagekit'));
    j.history.append(entry('c', '/beach/readme.txt', 3));
    expect(j.history.query({ text: 'BEACH', limit: 10, offset: 0 }).entries.map((e) => e.jobId)).toEqual(['b', 'a']);
    expect(j.history.query({ destination: 'local', limit: 1, offset: 1 })).toMatchObject({ total: 2, entries: [{ jobId: 'a' }] });
    expect(j.history.remove('a')).toBe(true);
    expect(j.history.remove('a')).toBe(false);
    expect(j.history.get('a')).toBeNull();
  });

  it('signed links survive a reopen and an unreadable file starts empty', async () => {
    const file = path.join(dir, 'links', 'signed-links.json');
    const logger = { info() {}, warn() {}, error() {} };
    const store = await openSignedLinkStore(file, { logger });
    await store.add({ itemId: 'job1', url: 'http://x/1', calls: ['read'], ttlSeconds: 60, createdAt: 1, expiresAt: Date.now() + 60_000 });
    const again = await openSignedLinkStore(file, { logger });
    expect(again.list('job1').map((l) => l.url)).toEqual(['http://x/1']);
    await writeFile(file, '{not json');
    expect((await openSignedLinkStore(file, { logger })).list()).toEqual([]);
  });
});
