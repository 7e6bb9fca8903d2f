import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryItem, SignedLink } from '../../src-shared/ipc/channels.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { APP_SECRET_FILE } from '../../src-main/hosts/library/app-secret.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { writeRandomFile } from '../support/files.js';

let dir: string;
let app: FerryApp;
let photo: Buffer;
let notes: Buffer;

/** Calls a channel through the real boundary and unwraps the value (fails the test on an error). */
async function call<T>(channel: string, payload: unknown): Promise<T> {
  const res = await dispatch(app.handlers, channel, payload);
  if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}
async function callError(channel: string, payload: unknown): Promise<string> {
  const res = await dispatch(app.handlers, channel, payload);
  return res.ok ? 'ok' : res.error.code;
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-library-');
  const files = path.join(dir, 'files');
  app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [dir] });
  photo = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
  const { mkdir } = await import('node:fs/promises');
  await mkdir(files, { recursive: true });
  await writeFile(path.join(files, 'Holiday Photo.png'), photo);
  notes = await writeRandomFile(path.join(files, 'notes.bin'), 150_000);
  // One after the other so finishedAt orders them: notes.bin is the newest.
  await app.engine.addPaths([path.join(files, 'Holiday Photo.png')]);
  await app.engine.whenIdle();
  await app.engine.addPaths([path.join(files, 'notes.bin')]);
  await app.engine.whenIdle();
}, 30_000);

afterAll(async () => {
  await app?.close();
  await removeTempDir(dir);
});

const list = (payload: Record<string, unknown> = {}) => call<{ total: number; items: LibraryItem[] }>('library:list', payload);

describe('library:list', () => {
  it('lists finished uploads newest first with name, size, type and an image thumbnail', async () => {
    const { total, items } = await list();
    expect(total).toBe(2);
    expect(items.map((i) => i.name)).toEqual(['notes.bin', 'Holiday Photo.png']);
    const [bin, png] = items as [LibraryItem, LibraryItem];
    expect(png).toMatchObject({ destination: 'local', size: photo.length, mimetype: 'image/png' });
    expect(bin.size).toBe(notes.length);
    expect(bin.thumbnailUrl).toBeNull();
    expect(png.thumbnailUrl).toContain('/resize=width:96,height:96,fit:crop/');
    const thumb = await fetch(png.thumbnailUrl ?? '');
    expect(thumb.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([96, 96]);
    expect(Buffer.from(await (await fetch(png.url)).arrayBuffer()).equals(photo)).toBe(true);
  });

  it('searches by name (case-insensitive), filters by destination and pages', async () => {
    expect((await list({ query: 'holiday' })).items.map((i) => i.name)).toEqual(['Holiday Photo.png']);
    expect(await list({ query: 'nothing-like-this' })).toEqual({ total: 0, items: [] });
    // The folder name is not the file name: it must not match.
    expect((await list({ query: 'files' })).total).toBe(0);
    expect((await list({ destination: 'imagekit' })).total).toBe(0);
    expect((await list({ destination: 'local' })).total).toBe(2);
    const page2 = await list({ limit: 1, offset: 1 });
    expect(page2.total).toBe(2);
    expect(page2.items.map((i) => i.name)).toEqual(['Holiday Photo.png']);
    expect((await list({ limit: 1, offset: 2 })).items).toEqual([]);
  });

  it('refuses bad payloads at the boundary', async () => {
    expect(await callError('library:list', { limit: 0 })).toBe('bad_request');
    expect(await callError('library:list', { limit: 501 })).toBe('bad_request');
    expect(await callError('library:list', { offset: -1 })).toBe('bad_request');
    expect(await callError('library:list', { destination: 'dropbox' })).toBe('bad_request');
    expect(await callError('library:list', { extra: 1 })).toBe('bad_request');
    expect(await callError('links:sign', { id: 'x', ttlSeconds: 59 })).toBe('bad_request');
    expect(await callError('links:sign', { id: 'x', ttlSeconds: 31_536_001 })).toBe('bad_request');
    expect(await callError('links:sign', { id: 'x', ttlSeconds: 3600, calls: ['remove'] })).toBe('bad_request');
    expect(await callError('links:sign', { id: 'no-such-job', ttlSeconds: 3600 })).toBe('not_found');
    expect(await callError('library:delete', { id: 'no-such-job' })).toBe('not_found');
  });
});

describe('signed links (local cloud)', () => {
  const itemNamed = async (name: string): Promise<LibraryItem> => {
    const item = (await list({ query: name })).items[0];
    if (!item) throw new Error(`no item ${name}`);
    return item;
  };

  it('signs a link that serves the exact bytes, lists it with its expiry and persists it', async () => {
    const png = await itemNamed('Holiday');
    const before = Date.now();
    const link = await call<SignedLink>('links:sign', { id: png.id, ttlSeconds: 3600 });
    expect(link.url).toMatch(/\/security=p:[^,]+,s:[0-9a-f]{64}\/[A-Za-z0-9_-]+$/);
    expect(link.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(link.expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(link.calls).toEqual(['read']);
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    const { links } = await call<{ links: SignedLink[] }>('links:list', { id: png.id });
    expect(links.map((l) => l.url)).toContain(link.url);
    const saved = await readFile(path.join(app.dataDir, 'library', 'signed-links.json'), 'utf8');
    expect(saved).toContain(link.url);
    // The secret stays in main: never in a reply.
    const secret = (await readFile(path.join(app.dataDir, 'localcloud', APP_SECRET_FILE), 'utf8')).trim();
    expect(JSON.stringify(links)).not.toContain(secret);
  });

  it('refuses a tampered signature, a tampered policy and an expired policy with 403', async () => {
    const png = await itemNamed('Holiday');
    const link = await call<SignedLink>('links:sign', { id: png.id, ttlSeconds: 60, calls: ['read', 'convert'] });
    expect((await fetch(link.url)).status).toBe(200);
    const tamperedSig = link.url.replace(/s:([0-9a-f])/, (_m, c: string) => `s:${c === '0' ? '1' : '0'}`);
    expect((await fetch(tamperedSig)).status).toBe(403);
    const otherHandle = (await itemNamed('notes')).remoteId;
    // The policy names the handle: the same signature does not open another file.
    expect((await fetch(link.url.replace(png.remoteId, otherHandle))).status).toBe(403);
    const secret = (await readFile(path.join(app.dataDir, 'localcloud', APP_SECRET_FILE), 'utf8')).trim();
    const expired = createSecurity({ expiry: Math.floor(Date.now() / 1000) - 1, call: ['read'], handle: png.remoteId }, secret);
    expect((await fetch(`${app.localCloud.baseUrl}/security=p:${expired.policy},s:${expired.signature}/${png.remoteId}`)).status).toBe(403);
    const wrongKey = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['read'], handle: png.remoteId }, 'not-the-secret');
    expect((await fetch(`${app.localCloud.baseUrl}/security=p:${wrongKey.policy},s:${wrongKey.signature}/${png.remoteId}`)).status).toBe(403);
    // Security stays optional for the built-in app: the plain link still works.
    expect((await fetch(png.url)).status).toBe(200);
  });
});

describe('library:delete', () => {
  it('deletes remotely, forgets the item and its signed links', async () => {
    const bin = (await list({ query: 'notes' })).items[0];
    if (!bin) throw new Error('notes.bin missing');
    await call('links:sign', { id: bin.id, ttlSeconds: 600 });
    expect((await fetch(bin.url)).status).toBe(200);
    await call('library:delete', { id: bin.id });
    expect((await fetch(bin.url)).status).toBe(404);
    const after = await list();
    expect(after.total).toBe(1);
    expect(after.items.map((i) => i.name)).toEqual(['Holiday Photo.png']);
    expect((await call<{ links: SignedLink[] }>('links:list', { id: bin.id })).links).toEqual([]);
    expect(await callError('library:delete', { id: bin.id })).toBe('not_found');
  });
});
