import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { hashBytes } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * How the local cloud stores a multipart upload: parts land in place in one data file, the
 * sessions live in memory (journalled for a restart), complete renames the data file into the
 * store (no copy, no hash) and answers the composite ETag of the bytes received; the whole
 * file's MD5 is computed when the File API is first asked for it, then kept in its metadata.
 */

const apikey = DEFAULT_LOCAL_APIKEY;
const MIB = 1024 * 1024;
let dir: string;
let cloud: LocalCloud;

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-store-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey, intelligentIngestion: true }] });
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

type Session = { uri: string; region: string; upload_id: string };
type Json = Record<string, unknown>;

async function post(c: LocalCloud, route: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${c.baseUrl}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}

async function start(c: LocalCloud, size: number, extra: Json = {}): Promise<Session> {
  const r = await post(c, '/multipart/start', { apikey, filename: 'a.bin', mimetype: 'application/octet-stream', size, ...extra });
  expect(r.status).toBe(200);
  return r.json as unknown as Session;
}

const keysOf = (s: Session): Json => ({ apikey, uri: s.uri, region: s.region, upload_id: s.upload_id });

/** /multipart/upload for a part: its PUT URL and headers. */
async function partUrl(c: LocalCloud, s: Session, part: number, bytes: Buffer): Promise<{ url: string; headers: Record<string, string> }> {
  const u = await post(c, '/multipart/upload', { ...keysOf(s), part, size: bytes.length, md5: hashBytes(bytes, 'md5', 'base64') });
  expect(u.status).toBe(200);
  return u.json as { url: string; headers: Record<string, string> };
}

async function put(target: { url: string; headers: Record<string, string> }, bytes: Buffer): Promise<string> {
  const res = await fetch(target.url, { method: 'PUT', headers: target.headers, body: bytes });
  expect(res.status).toBe(200);
  return res.headers.get('etag') ?? '';
}

async function putPart(c: LocalCloud, s: Session, part: number, bytes: Buffer): Promise<string> {
  return put(await partUrl(c, s, part, bytes), bytes);
}

function complete(c: LocalCloud, s: Session, size: number, etags: string[], extra: Json = {}): Promise<{ status: number; json: Json }> {
  return post(c, '/multipart/complete', { ...keysOf(s), filename: 'a.bin', mimetype: 'application/octet-stream', size, parts: etags.map((etag, i) => ({ part_number: i + 1, etag })), ...extra });
}

/** The stored file's MD5 as the File API reports it. */
async function fileMd5(c: LocalCloud, handle: string): Promise<unknown> {
  const res = await fetch(`${c.baseUrl}/api/file/${handle}/metadata?md5=true`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).md5;
}

/** The ETag the CDN serves a stored file with. */
async function cdnEtag(c: LocalCloud, handle: string): Promise<string | null> {
  const res = await fetch(`${c.baseUrl}/${handle}`);
  await res.arrayBuffer();
  return res.headers.get('etag');
}

/** S3's multipart ETag: MD5 of the parts' raw MD5s, then `-<count>`. */
function s3Etag(pieces: Buffer[]): string {
  const h = createHash('md5');
  for (const p of pieces) h.update(createHash('md5').update(p).digest());
  return `${h.digest('hex')}-${pieces.length}`;
}

const split = (bytes: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('local cloud: where multipart bytes go', () => {
  it('writes parts in place and completes by renaming the data file: the stored blob is the same inode, nothing copied', async () => {
    const bytes = randomBytes(3 * 5 * MIB + 12_345);
    const parts = split(bytes, 5 * MIB);
    const s = await start(cloud, bytes.length);
    // URLs in order (part 1 announces the part size), bytes out of order: each lands at its offset.
    const urls = [];
    for (const [i, p] of parts.entries()) urls.push(await partUrl(cloud, s, i + 1, p));
    const etags: string[] = [];
    for (const n of [3, 1, 4, 2]) etags[n - 1] = await put(urls[n - 1] as { url: string; headers: Record<string, string> }, parts[n - 1] as Buffer);
    const data = path.join(cloud.storage.uploadDir(s.upload_id), 'data');
    const before = await stat(data);
    expect(before.size).toBe(bytes.length);
    expect(await readdir(cloud.storage.uploadDir(s.upload_id))).not.toContain('1.part');
    const done = await complete(cloud, s, bytes.length, etags);
    expect(done.status).toBe(200);
    const handle = String(done.json.handle);
    expect((await stat(cloud.storage.blobPath(handle))).ino).toBe(before.ino);
    expect(hashBytes(await readFile(cloud.storage.blobPath(handle)))).toBe(hashBytes(bytes));
    expect(done.json).toMatchObject({ size: bytes.length, etag: s3Etag(parts) });
    // Complete hashed nothing: no MD5 or SHA-256 in its answer or the stored record yet.
    expect(done.json.md5).toBeUndefined();
    expect((await cloud.storage.get(handle))?.md5).toBeUndefined();
    expect((await cloud.storage.get(handle))?.sha256).toBeUndefined();
    // The File API computes them when asked.
    const meta = (await (await fetch(`${cloud.baseUrl}/api/file/${handle}/metadata?sha256=true&md5=true`)).json()) as Json;
    expect(meta).toMatchObject({ sha256: hashBytes(bytes), md5: hashBytes(bytes, 'md5') });
    expect((await cloud.storage.get(handle))?.md5).toBe(hashBytes(bytes, 'md5'));
    // Only the session record is left of the upload (it answers repeated completes).
    expect(await readdir(cloud.storage.uploadDir(s.upload_id))).toEqual(['session.json']);
    expect((await complete(cloud, s, bytes.length, etags)).json.handle).toBe(handle);
  });

  it('keeps sessions in memory: parts and complete work without session.json being read again', async () => {
    const bytes = randomBytes(2 * 5 * MIB);
    const s = await start(cloud, bytes.length);
    await writeFile(path.join(cloud.storage.uploadDir(s.upload_id), 'session.json'), 'not json any more');
    const etags = [];
    for (const [i, p] of split(bytes, 5 * MIB).entries()) etags.push(await putPart(cloud, s, i + 1, p));
    const done = await complete(cloud, s, bytes.length, etags);
    expect(done.status).toBe(200);
    expect(hashBytes(await readFile(cloud.storage.blobPath(String(done.json.handle))))).toBe(hashBytes(bytes));
  });

  it('resumes a session after a server restart from its journal (session.json + parts.log)', async () => {
    const dataDir = path.join(dir, 'restart');
    const first = await startLocalCloud({ dataDir });
    const bytes = randomBytes(2 * 5 * MIB + 7);
    const parts = split(bytes, 5 * MIB);
    const s = await start(first, bytes.length);
    const etags = [await putPart(first, s, 1, parts[0] as Buffer)];
    await first.close();
    const second = await startLocalCloud({ dataDir });
    try {
      etags.push(await putPart(second, s, 2, parts[1] as Buffer), await putPart(second, s, 3, parts[2] as Buffer));
      const done = await complete(second, s, bytes.length, etags);
      expect(done.status).toBe(200);
      expect(done.json).toMatchObject({ etag: s3Etag(parts) });
      expect(await fileMd5(second, String(done.json.handle))).toBe(hashBytes(bytes, 'md5'));
      expect(hashBytes(await readFile(second.storage.blobPath(String(done.json.handle))))).toBe(hashBytes(bytes));
    } finally {
      await second.close();
    }
  });

  it('a plan of unequal parts (not the equal-parts layout) is still stored exactly, by copying', async () => {
    const sizes = [5 * MIB, 6 * MIB + 1, 5 * MIB, 3];
    const bytes = randomBytes(sizes.reduce((a, b) => a + b, 0));
    const parts: Buffer[] = [];
    for (let at = 0, i = 0; i < sizes.length; at += sizes[i] as number, i++) parts.push(bytes.subarray(at, at + (sizes[i] as number)));
    const s = await start(cloud, bytes.length);
    const etags = [];
    for (const [i, p] of parts.entries()) etags.push(await putPart(cloud, s, i + 1, p));
    const done = await complete(cloud, s, bytes.length, etags);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ md5: hashBytes(bytes, 'md5'), etag: s3Etag(parts) });
    expect(hashBytes(await readFile(cloud.storage.blobPath(String(done.json.handle))))).toBe(hashBytes(bytes));
  });

  it('a part sent again with other bytes replaces the first copy, and the stored MD5 follows the bytes kept', async () => {
    const bytes = randomBytes(2 * 5 * MIB);
    const parts = split(bytes, 5 * MIB);
    const s = await start(cloud, bytes.length);
    await putPart(cloud, s, 1, randomBytes(5 * MIB));
    const etags = [await putPart(cloud, s, 1, parts[0] as Buffer), await putPart(cloud, s, 2, parts[1] as Buffer)];
    const done = await complete(cloud, s, bytes.length, etags);
    expect(await fileMd5(cloud, String(done.json.handle))).toBe(hashBytes(bytes, 'md5'));
    expect(hashBytes(await readFile(cloud.storage.blobPath(String(done.json.handle))))).toBe(hashBytes(bytes));
  });

  it('intelligent ingestion: chunks land in place, commit copies nothing, the ETag covers every chunk', async () => {
    const FII = 8 * MIB;
    const bytes = randomBytes(FII + 3 * MIB);
    const s = await start(cloud, bytes.length, { fii: true });
    const chunks: Buffer[] = [];
    // Part 1 in two chunks, part 2 in one.
    for (const [part, offset, size] of [[1, 0, 5 * MIB], [1, 5 * MIB, 3 * MIB], [2, 0, 3 * MIB]] as const) {
      const chunk = bytes.subarray((part - 1) * FII + offset, (part - 1) * FII + offset + size);
      chunks.push(chunk);
      const u = await post(cloud, '/multipart/upload', { ...keysOf(s), part, size, offset, fii: true, md5: hashBytes(chunk, 'md5', 'base64') });
      const { url, headers } = u.json as { url: string; headers: Record<string, string> };
      expect((await fetch(url, { method: 'PUT', headers, body: chunk })).status).toBe(200);
    }
    for (const part of [1, 2]) expect((await post(cloud, '/multipart/commit', { ...keysOf(s), part, size: bytes.length })).status).toBe(200);
    const data = path.join(cloud.storage.uploadDir(s.upload_id), 'data');
    const ino = (await stat(data)).ino;
    const done = await post(cloud, '/multipart/complete', { ...keysOf(s), filename: 'a.bin', mimetype: 'application/octet-stream', size: bytes.length, fii: true });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ etag: s3Etag(chunks) });
    expect(await fileMd5(cloud, String(done.json.handle))).toBe(hashBytes(bytes, 'md5'));
    expect((await stat(cloud.storage.blobPath(String(done.json.handle)))).ino).toBe(ino);
    expect(hashBytes(await readFile(cloud.storage.blobPath(String(done.json.handle))))).toBe(hashBytes(bytes));
  });

  it('the whole-file MD5 is hashed once, on the first File API request, then served from the metadata', async () => {
    const bytes = randomBytes(2 * 5 * MIB + 99);
    const parts = split(bytes, 5 * MIB);
    const s = await start(cloud, bytes.length);
    const etags = [];
    for (const [i, p] of parts.entries()) etags.push(await putPart(cloud, s, i + 1, p));
    const handle = String((await complete(cloud, s, bytes.length, etags)).json.handle);
    const blob = cloud.storage.blobPath(handle);
    expect((await cloud.storage.get(handle))?.md5).toBeUndefined();
    // Three readers at once share one hash, and all get the right answer.
    const answers = await Promise.all([fileMd5(cloud, handle), fileMd5(cloud, handle), fileMd5(cloud, handle)]);
    expect(answers).toEqual(Array(3).fill(hashBytes(bytes, 'md5')));
    const record = JSON.parse(await readFile(path.join(cloud.storage.dataDir, 'files', `${handle}.json`), 'utf8')) as Json;
    expect(record).toMatchObject({ md5: hashBytes(bytes, 'md5'), etag: s3Etag(parts), size: bytes.length });
    // Cached: with the blob's bytes changed behind the server's back, the answer is still the
    // recorded one (it was not hashed again).
    await writeFile(blob, randomBytes(bytes.length));
    expect(await fileMd5(cloud, handle)).toBe(hashBytes(bytes, 'md5'));
    // The CDN's ETag stays the composite one it had before anyone asked for the MD5.
    expect(await cdnEtag(cloud, handle)).toBe(`"${s3Etag(parts)}"`);
  });

  it('a download of a multipart upload answers its composite ETag (as S3 does) without hashing the file', async () => {
    const bytes = randomBytes(5 * MIB + 3);
    const parts = split(bytes, 5 * MIB);
    const s = await start(cloud, bytes.length);
    const etags = [];
    for (const [i, p] of parts.entries()) etags.push(await putPart(cloud, s, i + 1, p));
    const handle = String((await complete(cloud, s, bytes.length, etags)).json.handle);
    const res = await fetch(`${cloud.baseUrl}/${handle}`);
    expect(hashBytes(Buffer.from(await res.arrayBuffer()))).toBe(hashBytes(bytes));
    expect(res.headers.get('etag')).toBe(`"${s3Etag(parts)}"`);
    // Nothing hashed the stored file for it: no MD5 was cached.
    expect((await cloud.storage.get(handle))?.md5).toBeUndefined();
    // A conditional GET with that tag is answered 304.
    const again = await fetch(`${cloud.baseUrl}/${handle}`, { headers: { 'if-none-match': `"${s3Etag(parts)}"` } });
    expect(again.status).toBe(304);
    // The File API's md5 is still the whole file's, computed lazily.
    expect(await fileMd5(cloud, handle)).toBe(hashBytes(bytes, 'md5'));
  });

  it('a stored file removed while its MD5 is being computed does not come back', async () => {
    const bytes = randomBytes(5 * MIB + 1);
    const parts = split(bytes, 5 * MIB);
    const s = await start(cloud, bytes.length);
    const etags = [];
    for (const [i, p] of parts.entries()) etags.push(await putPart(cloud, s, i + 1, p));
    const handle = String((await complete(cloud, s, bytes.length, etags)).json.handle);
    const file = await cloud.storage.get(handle);
    if (!file) throw new Error('not stored');
    const hashing = cloud.storage.md5Of(file);
    await cloud.storage.remove(handle);
    await hashing.catch(() => undefined);
    expect(await cloud.storage.get(handle)).toBeNull();
  });

  it('an upload removed from disk (expired) is forgotten in memory too: its parts answer 404', async () => {
    const bytes = randomBytes(100);
    const s = await start(cloud, bytes.length);
    await cloud.storage.removeUpload(s.upload_id);
    const u = await post(cloud, '/multipart/upload', { ...keysOf(s), part: 1, size: bytes.length, md5: hashBytes(bytes, 'md5', 'base64') });
    expect(u.status).toBe(404);
    await rm(cloud.storage.uploadDir(s.upload_id), { recursive: true, force: true });
  });
});

describe('local cloud: /api/store for small files', () => {
  it('answers the stored MD5 and refuses a body that does not match its Content-MD5', async () => {
    const bytes = randomBytes(10_000);
    const url = `${cloud.baseUrl}/api/store/S3?key=${apikey}&filename=s.bin`;
    const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'Content-MD5': hashBytes(bytes, 'md5', 'base64') }, body: bytes });
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as Json;
    expect(answer).toMatchObject({ size: bytes.length, md5: hashBytes(bytes, 'md5'), filename: 's.bin' });
    const bad = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'Content-MD5': hashBytes(randomBytes(8), 'md5', 'base64') }, body: bytes });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'BadDigest' });
  });
});
