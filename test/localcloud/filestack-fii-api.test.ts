import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FiiEvent } from '../../src-main/localcloud/context.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** Raw wire tests of intelligent ingestion on the local cloud (spec §4, §11 items 3-4). */

const MiB = 1024 * 1024;
const PART = 8 * MiB;
const NO_FII_KEY = 'FerryNoFiiAppKey000001';

let dir: string;
let cloud: LocalCloud;
let events: FiiEvent[];

beforeEach(async () => {
  dir = await makeTempDir('ferry-fii-api-');
  events = [];
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: DEFAULT_LOCAL_APIKEY, intelligentIngestion: true }, { apikey: NO_FII_KEY }],
    hooks: { onFii: (e) => events.push(e) },
  });
});

afterEach(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

type Reply = { status: number; body: Record<string, unknown> };

async function post(route: string, json: unknown): Promise<Reply> {
  const res = await fetch(`${cloud.baseUrl}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const b64md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

type Session = { apikey: string; uri: string; region: string; upload_id: string };

async function start(size: number, extra: Record<string, unknown> = { fii: true }, apikey = DEFAULT_LOCAL_APIKEY): Promise<{ s: Session; reply: Reply }> {
  const reply = await post('/multipart/start', { apikey, filename: 'f.bin', mimetype: 'application/octet-stream', size, store: { location: 's3' }, ...extra });
  expect(reply.status).toBe(200);
  const b = reply.body as Record<string, string>;
  return { s: { apikey, uri: b.uri ?? '', region: b.region ?? '', upload_id: b.upload_id ?? '' }, reply };
}

/** /multipart/upload (fii) + PUT of one chunk; returns the PUT status. */
async function sendChunk(s: Session, part: number, offset: number, bytes: Buffer): Promise<number> {
  const up = await post('/multipart/upload', { ...s, part, size: bytes.length, md5: b64md5(bytes), offset, fii: true, store: { location: 's3' } });
  expect(up.status).toBe(200);
  const put = await fetch(up.body.url as string, { method: 'PUT', headers: up.body.headers as Record<string, string>, body: bytes });
  await put.arrayBuffer();
  return put.status;
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('local cloud: intelligent ingestion wire protocol', () => {
  it('grants FII only when the app allows it and the client asks (JSON fii or form multipart=true)', async () => {
    expect((await start(10, { fii: true })).reply.body.upload_type).toBe('intelligent_ingestion');
    expect((await start(10, {})).reply.body.upload_type).toBeUndefined();
    expect((await start(10, { fii: false })).reply.body.upload_type).toBeUndefined();
    expect((await start(10, { fii: true }, NO_FII_KEY)).reply.body.upload_type).toBeUndefined();

    const form = new FormData();
    for (const [k, v] of Object.entries({ apikey: DEFAULT_LOCAL_APIKEY, filename: 'f.bin', size: '10', store_location: 's3', multipart: 'true' })) form.set(k, v);
    const res = await fetch(`${cloud.baseUrl}/multipart/start`, { method: 'POST', body: form });
    expect(((await res.json()) as Record<string, unknown>).upload_type).toBe('intelligent_ingestion');
  });

  it('assembles a file from chunked, committed parts; complete carries no parts and may answer 202 first', async () => {
    await cloud.close();
    cloud = await startLocalCloud({
      dataDir: path.join(dir, 'cloud'),
      apps: [{ apikey: DEFAULT_LOCAL_APIKEY, intelligentIngestion: true }],
      hooks: { onFii: (e) => events.push(e), completeAccepts202: 1 },
    });
    const bytes = randomBytes(PART + 100_000);
    const { s } = await start(bytes.length);
    // Part 1 in three uneven chunks, sent out of order; part 2 in one.
    expect(await sendChunk(s, 1, 5 * MiB, bytes.subarray(5 * MiB, PART))).toBe(200);
    expect(await sendChunk(s, 1, 0, bytes.subarray(0, 1 * MiB))).toBe(200);
    expect(await sendChunk(s, 1, 1 * MiB, bytes.subarray(1 * MiB, 5 * MiB))).toBe(200);
    expect(await sendChunk(s, 2, 0, bytes.subarray(PART))).toBe(200);
    for (const part of [1, 2]) expect((await post('/multipart/commit', { ...s, part, size: bytes.length })).status).toBe(200);
    // A repeated commit (lost answer) is harmless.
    expect((await post('/multipart/commit', { ...s, part: 2, size: bytes.length })).status).toBe(200);

    const complete = { ...s, filename: 'f.bin', mimetype: 'application/octet-stream', size: bytes.length, fii: true };
    expect((await post('/multipart/complete', complete)).status).toBe(202);
    const done = await post('/multipart/complete', complete);
    expect(done.status).toBe(200);
    expect(sha(await download(done.body.url as string))).toBe(sha(bytes));
    expect(events.filter((e) => e.type === 'commit' && e.status === 200).map((e) => (e.type === 'commit' ? e.chunkSizes : []))).toEqual([
      [1 * MiB, 4 * MiB, 3 * MiB],
      [100_000],
      [],
    ]);
    expect(events.filter((e) => e.type === 'complete').map((e) => (e.type === 'complete' ? [e.status, e.committedParts, e.listedParts] : []))).toEqual([
      [202, [1, 2], []],
      [200, [1, 2], []],
    ]);
  });

  it('refuses a commit whose chunks leave a gap or stop short, naming the gap', async () => {
    const bytes = randomBytes(PART + 10);
    const { s } = await start(bytes.length);
    await sendChunk(s, 1, 0, bytes.subarray(0, MiB));
    await sendChunk(s, 1, 2 * MiB, bytes.subarray(2 * MiB, PART));
    const gap = await post('/multipart/commit', { ...s, part: 1, size: bytes.length });
    expect(gap.status).toBe(400);
    expect(gap.body.message).toMatch(/missing chunks.*offset 1048576/);

    await sendChunk(s, 2, 0, bytes.subarray(PART, PART + 4));
    expect((await post('/multipart/commit', { ...s, part: 2, size: bytes.length })).status).toBe(400);
    // size must be the TOTAL file size, not the part size.
    expect((await post('/multipart/commit', { ...s, part: 1, size: PART })).status).toBe(400);
    // A chunk running past the end of its part is refused up front.
    const over = await post('/multipart/upload', { ...s, part: 2, size: 11, md5: b64md5(randomBytes(11)), offset: 0, fii: true });
    expect(over.status).toBe(400);
  });

  it('refuses a complete before the parts are committed, and unknown uploads with 404', async () => {
    const bytes = randomBytes(PART + 10);
    const { s } = await start(bytes.length);
    const complete = { ...s, filename: 'f.bin', size: bytes.length, fii: true };
    const none = await post('/multipart/complete', complete);
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/commit/);

    await sendChunk(s, 1, 0, bytes.subarray(0, PART));
    expect((await post('/multipart/commit', { ...s, part: 1, size: bytes.length })).status).toBe(200);
    const half = await post('/multipart/complete', complete);
    expect(half.status).toBe(400);
    // Nothing was stored by the refused completes.
    expect(events.filter((e) => e.type === 'complete').map((e) => e.status)).toEqual([400, 400]);

    const unknown = { ...s, upload_id: 'NoSuchUpload000000000000' };
    expect((await post('/multipart/commit', { ...unknown, part: 1, size: bytes.length })).status).toBe(404);
    expect((await post('/multipart/upload', { ...unknown, part: 1, size: 4, offset: 0, fii: true })).status).toBe(404);
    expect((await post('/multipart/complete', { ...unknown, size: bytes.length, fii: true })).status).toBe(404);
  });

  it('refuses chunks, commits and FII completes on a session that was not granted FII', async () => {
    const { s } = await start(100, { fii: true }, NO_FII_KEY);
    const up = await post('/multipart/upload', { ...s, part: 1, size: 100, offset: 0, fii: true });
    expect(up.status).toBe(400);
    expect((await post('/multipart/commit', { ...s, part: 1, size: 100 })).status).toBe(400);
  });

  it('merges committed FII parts with ETag-listed regular parts (JS fallback complete)', async () => {
    const bytes = randomBytes(2 * PART + 300_000);
    const { s } = await start(bytes.length);
    // Part 1 the regular way: /multipart/upload without fii + PUT → ETag.
    const p1 = bytes.subarray(0, PART);
    const up = await post('/multipart/upload', { ...s, part: 1, size: p1.length, md5: b64md5(p1), store: { location: 's3' } });
    const put = await fetch(up.body.url as string, { method: 'PUT', headers: up.body.headers as Record<string, string>, body: p1 });
    expect(put.status).toBe(200);
    const etag = put.headers.get('etag') ?? '';
    // Parts 2 and 3 chunked and committed.
    await sendChunk(s, 2, 0, bytes.subarray(PART, PART + 3 * MiB));
    await sendChunk(s, 2, 3 * MiB, bytes.subarray(PART + 3 * MiB, 2 * PART));
    await sendChunk(s, 3, 0, bytes.subarray(2 * PART));
    for (const part of [2, 3]) expect((await post('/multipart/commit', { ...s, part, size: bytes.length })).status).toBe(200);

    const bad = await post('/multipart/complete', { ...s, size: bytes.length, fii: true, parts: [{ part_number: 1, etag: '"0000"' }] });
    expect(bad.status).toBe(400);
    const done = await post('/multipart/complete', { ...s, size: bytes.length, fii: true, parts: [{ part_number: 1, etag }] });
    expect(done.status).toBe(200);
    expect(done.body.size).toBe(bytes.length);
    expect(sha(await download(done.body.url as string))).toBe(sha(bytes));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'complete', status: 200, committedParts: [2, 3], listedParts: [1] });
  });
});
