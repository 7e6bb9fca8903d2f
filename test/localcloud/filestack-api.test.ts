import { createHash, randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, toAppError } from '../../src-shared/errors.js';
import { httpRequest, jsonRequest } from '../../src-main/net/http.js';
import { createRateLimiter } from '../../src-main/net/throttle.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { hashBytes } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
const apikey = DEFAULT_LOCAL_APIKEY;

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-api-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud') });
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

type Session = { uri: string; region: string; upload_id: string; location_url: string };

async function post(route: string, body: unknown, raw?: string): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(`${cloud.baseUrl}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function start(size: number): Promise<Session> {
  const r = await post('/multipart/start', { apikey, filename: 'a.bin', mimetype: 'application/octet-stream', size, store: { location: 's3' } });
  expect(r.status).toBe(200);
  return r.json as unknown as Session;
}

async function putPart(s: Session, part: number, bytes: Buffer, md5 = hashBytes(bytes, 'md5', 'base64')): Promise<Response> {
  const u = await post('/multipart/upload', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, part, size: bytes.length, md5 });
  expect(u.status).toBe(200);
  const { url, headers } = u.json as { url: string; headers: Record<string, string> };
  return fetch(url, { method: 'PUT', headers, body: bytes });
}

async function uploadWhole(bytes: Buffer): Promise<{ s: Session; etag: string; complete: () => Promise<{ status: number; json: Record<string, unknown> | null }> }> {
  const s = await start(bytes.length);
  const put = await putPart(s, 1, bytes);
  expect(put.status).toBe(200);
  const etag = put.headers.get('etag') ?? '';
  const complete = () =>
    post('/multipart/complete', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, filename: 'a.bin', mimetype: 'application/octet-stream', size: bytes.length, parts: [{ part_number: 1, etag }] });
  return { s, etag, complete };
}

describe('local cloud: Filestack multipart API input checks', () => {
  it('answers 400 to malformed JSON and missing fields, 403 to an unknown apikey', async () => {
    expect((await post('/multipart/start', null, '{not json')).status).toBe(400);
    const missing = await post('/multipart/start', { apikey, size: 5 });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 'bad_request' });
    expect(String(missing.json?.message)).toContain('filename');
    expect((await post('/multipart/start', { apikey: 'nope', filename: 'a', size: 1 })).status).toBe(403);
  });

  it('answers 404 to an unknown upload_id on upload and complete', async () => {
    const keys = { apikey, uri: '/x', region: 'local-1', upload_id: 'doesnotexist' };
    expect((await post('/multipart/upload', { ...keys, part: 1, size: 1, md5: hashBytes(Buffer.from('a'), 'md5', 'base64') })).status).toBe(404);
    expect((await post('/multipart/complete', { ...keys, size: 1, parts: [{ part_number: 1, etag: '"x"' }] })).status).toBe(404);
  });

  it('rejects a part whose bytes do not match Content-MD5 with 400 BadDigest', async () => {
    const s = await start(1000);
    const bytes = randomBytes(1000);
    const res = await putPart(s, 1, bytes, hashBytes(randomBytes(1000), 'md5', 'base64'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BadDigest' });
  });

  it('refuses complete before all parts arrived, and a tampered part URL', async () => {
    const bytes = randomBytes(2000);
    const s = await start(bytes.length);
    const first = await putPart(s, 1, bytes.subarray(0, 1000));
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toBe(`"${hashBytes(bytes.subarray(0, 1000), 'md5')}"`);
    const early = await post('/multipart/complete', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, size: 2000, parts: [{ part_number: 1, etag }, { part_number: 2, etag }] });
    expect(early.status).toBe(400);
    expect(early.json).toMatchObject({ code: 'InvalidPart' });
    const short = await post('/multipart/complete', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, size: 2000, parts: [{ part_number: 1, etag }] });
    expect(short.status).toBe(400);
    const u = await post('/multipart/upload', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, part: 2, size: 1000, md5: hashBytes(bytes.subarray(1000), 'md5', 'base64') });
    const tampered = (u.json as { url: string }).url.replace('size=1000', 'size=999');
    const res = await fetch(tampered, { method: 'PUT', headers: (u.json as { headers: Record<string, string> }).headers, body: bytes.subarray(1000, 1999) });
    expect(res.status).toBe(403);
  });

  it('completes idempotently and serves the bytes, ranges, HEAD and metadata', async () => {
    const bytes = randomBytes(4096);
    const { complete } = await uploadWhole(bytes);
    const a = await complete();
    const b = await complete();
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ size: 4096, status: 'Stored', filename: 'a.bin' });
    expect(b.json?.handle).toBe(a.json?.handle);
    const url = String(a.json?.url);
    const handle = String(a.json?.handle);
    expect(handle).toMatch(/^[A-Za-z0-9]{20}$/);

    const got = await fetch(url);
    expect(got.headers.get('access-control-expose-headers')).toContain('ETag');
    // A multipart upload is tagged as S3 tags one: the MD5 of its part MD5s and the part count.
    const composite = `${createHash('md5').update(createHash('md5').update(bytes).digest()).digest('hex')}-1`;
    expect(got.headers.get('etag')).toBe(`"${composite}"`);
    expect(hashBytes(Buffer.from(await got.arrayBuffer()))).toBe(hashBytes(bytes));
    const viaKey = await fetch(`${cloud.baseUrl}/${apikey}/${handle}`);
    expect(viaKey.status).toBe(200);
    await viaKey.arrayBuffer();
    const ranged = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('4096');

    const meta = await fetch(`${cloud.baseUrl}/api/file/${handle}/metadata?md5=true&size=true`);
    expect(await meta.json()).toMatchObject({ size: 4096, md5: hashBytes(bytes, 'md5'), filename: 'a.bin', writeable: true });
  });

  it('answers 404 for an unknown handle on the CDN and the File API', async () => {
    expect((await fetch(`${cloud.baseUrl}/AAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await fetch(`${cloud.baseUrl}/AAAAAAAAAAAAAAAAAAAA`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${cloud.baseUrl}/api/file/AAAAAAAAAAAAAAAAAAAA/metadata`)).status).toBe(404);
  });

  it('accepts the legacy multipart/form-data start (spec §3.8)', async () => {
    const form = new FormData();
    form.set('apikey', apikey);
    form.set('filename', 'f.txt');
    form.set('mimetype', 'text/plain');
    form.set('size', '12');
    form.set('store_location', 's3');
    const res = await fetch(`${cloud.baseUrl}/multipart/start`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ region: 'local-1', location_url: cloud.baseUrl });
  });
});

describe('net/http client error mapping', () => {
  it('turns statuses into typed FerryErrors with the server message', async () => {
    const bad = await jsonRequest({ method: 'POST', url: `${cloud.baseUrl}/multipart/start`, body: '{', headers: { 'Content-Type': 'application/json' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(FerryError);
    expect(toAppError(bad)).toMatchObject({ code: 'bad_request', retryable: false, details: { status: 400 } });
    expect(toAppError(bad).message).toContain('not valid JSON');
    const forbidden = await jsonRequest({ method: 'POST', url: `${cloud.baseUrl}/multipart/start`, json: { apikey: 'x', filename: 'a', size: 1 } }).catch((e: unknown) => e);
    expect(toAppError(forbidden).code).toBe('forbidden');
    const missing = await jsonRequest({ method: 'GET', url: `${cloud.baseUrl}/api/file/AAAAAAAAAAAAAAAAAAAA/metadata` }).catch((e: unknown) => e);
    expect(toAppError(missing).code).toBe('not_found');
  });

  it('maps refused connections, timeouts and aborts', async () => {
    const refused = await httpRequest({ method: 'GET', url: 'http://127.0.0.1:1/' }).catch((e: unknown) => e);
    expect(toAppError(refused)).toMatchObject({ code: 'network', retryable: true });
    const ac = new AbortController();
    ac.abort();
    const aborted = await httpRequest({ method: 'GET', url: cloud.baseUrl, signal: ac.signal }).catch((e: unknown) => e);
    expect(toAppError(aborted).code).toBe('aborted');
    // A server that accepts and never answers → timeout.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const slow = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(toAppError(slow).code).toBe('timeout');
    silent.close();
  });

  it('reports upload progress per slice up to the body size: 1 MiB slices, 64 KiB under a bandwidth limit', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 300 * 1024);
    const seen: number[] = [];
    const res = await httpRequest({ method: 'POST', url: `${cloud.baseUrl}/api/store/S3?key=${apikey}`, body, onUploadProgress: (n) => seen.push(n) });
    expect(res.status).toBe(200);
    expect(seen).toEqual([1048576, 2097152, body.length]);
    const limited: number[] = [];
    const small = randomBytes(300 * 1024);
    await httpRequest({ method: 'POST', url: `${cloud.baseUrl}/multipart/start`, body: small, limiter: createRateLimiter(1e9), onUploadProgress: (n) => limited.push(n) });
    expect(limited).toEqual([65536, 131072, 196608, 262144, 307200]);
  });
});
