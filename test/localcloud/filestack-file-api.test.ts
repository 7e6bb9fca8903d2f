import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { download, getContent, metadata, overwrite, remove, signedUrl, type FileApiConfig } from '../../src-main/providers/filestack/file-api.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const KEY = 'FileApiSecureKey000001';
const SECRET = 'file-api-secret';
const NO_RETRY = { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 };

let dir: string;
let cloud: LocalCloud;
let cfg: FileApiConfig;

const hex = (alg: string, b: Buffer): string => createHash(alg).update(b).digest('hex');
const now = (): number => Math.floor(Date.now() / 1000);

async function put(bytes: Buffer, filename = 'f.bin', mimetype = 'application/octet-stream'): Promise<string> {
  const f = await cloud.storage.putBuffer(bytes, { apikey: KEY, filename, mimetype, key: `k_${filename}`, path: null, container: 'box', location: 's3' });
  return f.handle;
}

const errOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => toAppError(e));

beforeAll(async () => {
  dir = await makeTempDir('ferry-file-api-');
  // URL overwrites come from a loopback fixture, which the cloud refuses unless told otherwise.
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey: KEY, secret: SECRET, securityRequired: true }], allowPrivateFetch: ['127.0.0.1'] });
  cfg = { apikey: KEY, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl, secret: SECRET, retry: NO_RETRY };
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

describe('File API (spec §6) against the local cloud', () => {
  it('metadata answers the requested fields, digests and image size', async () => {
    const png = await sharp({ create: { width: 33, height: 21, channels: 3, background: '#3366aa' } }).png().toBuffer();
    const handle = await put(png, 'pic.png', 'image/png');
    const m = await metadata(cfg, handle, ['size', 'mimetype', 'filename', 'width', 'height', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'uploaded', 'writeable', 'location', 'path', 'container']);
    expect(m).toMatchObject({ handle, size: png.length, mimetype: 'image/png', filename: 'pic.png', width: 33, height: 21, writeable: true, location: 's3', container: 'box' });
    for (const alg of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']) expect(m[alg]).toBe(hex(alg, png));
    expect(typeof m.uploaded).toBe('number');
    // `=false` removes a default field; exif needs its own call, which the client adds.
    const res = await fetch(`${cloud.baseUrl}/api/file/${handle}/metadata?filename=false&${q(createSecurity({ expiry: now() + 60, call: ['stat'] }, SECRET))}`);
    expect(await res.json()).not.toHaveProperty('filename');
    const exifDenied = await fetch(`${cloud.baseUrl}/api/file/${handle}/metadata?exif=true&${q(createSecurity({ expiry: now() + 60, call: ['stat'] }, SECRET))}`);
    expect(exifDenied.status).toBe(403);
    expect(await metadata(cfg, handle, ['exif'])).toHaveProperty('exif');
    // The CDN form /<handle>/metadata answers the same way.
    const cdn = await fetch(`${cloud.baseUrl}/${handle}/metadata?width=true&${q(createSecurity({ expiry: now() + 60, call: ['stat'] }, SECRET))}`);
    expect(await cdn.json()).toMatchObject({ width: 33, size: png.length });
  });

  it('getContent and download return the stored bytes', async () => {
    const bytes = randomBytes(300_000);
    const handle = await put(bytes);
    expect((await getContent(cfg, handle)).equals(bytes)).toBe(true);
    const dest = path.join(dir, 'dl.bin');
    expect(await download(cfg, handle, dest)).toEqual({ bytes: bytes.length });
    expect((await readFile(dest)).equals(bytes)).toBe(true);
  });

  it('overwrite from a file, a URL, raw PUT and multipart replaces the bytes under the same handle', async () => {
    const handle = await put(Buffer.from('version one'), 'doc.txt', 'text/plain');
    const src = path.join(dir, 'v2.txt');
    await writeFile(src, 'version two, longer');
    const r = await overwrite(cfg, handle, { path: src, mimetype: 'text/plain' });
    expect(r).toMatchObject({ size: 19, filename: 'doc.txt', mimetype: 'text/plain' });
    expect((await getContent(cfg, handle)).toString()).toBe('version two, longer');
    expect((await metadata(cfg, handle, ['md5'])).md5).toBe(hex('md5', Buffer.from('version two, longer')));

    const other = await put(Buffer.from('from a url'));
    await overwrite(cfg, handle, { url: signedUrl(cfg, other, { expiry: now() + 60 }) });
    expect((await getContent(cfg, handle)).toString()).toBe('from a url');

    const write = q(createSecurity({ expiry: now() + 60, call: ['write'], handle }, SECRET));
    const putRes = await fetch(`${cloud.baseUrl}/api/file/${handle}?${write}`, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'raw put' });
    expect(putRes.status).toBe(200);
    expect((await getContent(cfg, handle)).toString()).toBe('raw put');

    const form = new FormData();
    form.append('fileUpload', new Blob([Buffer.from('multipart body')], { type: 'application/octet-stream' }), 'filename');
    const mp = await fetch(`${cloud.baseUrl}/api/file/${handle}?${write}`, { method: 'POST', body: form });
    expect(mp.status).toBe(200);
    expect((await getContent(cfg, handle)).toString()).toBe('multipart body');
  });

  it('a failed overwrite leaves the old bytes in place', async () => {
    const handle = await put(Buffer.from('keep me'));
    const err = await errOf(overwrite(cfg, handle, { url: 'http://127.0.0.1:1/nothing' }));
    expect(err).toMatchObject({ code: 'bad_request' });
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '');
    expect(await errOf(overwrite(cfg, handle, { path: empty }))).toMatchObject({ code: 'bad_request' });
    expect((await getContent(cfg, handle)).toString()).toBe('keep me');
  });

  it('overwrite and delete need the write / remove calls', async () => {
    const handle = await put(Buffer.from('guarded'));
    const src = path.join(dir, 'g.txt');
    await writeFile(src, 'changed');
    const readOnly: FileApiConfig = { ...cfg, secret: undefined, security: createSecurity({ expiry: now() + 60, call: ['read', 'stat'] }, SECRET) };
    expect(await errOf(overwrite(readOnly, handle, { path: src }))).toMatchObject({ code: 'forbidden' });
    expect(await errOf(remove(readOnly, handle))).toMatchObject({ code: 'forbidden' });
    const otherKey = await fetch(`${cloud.baseUrl}/api/file/${handle}?key=SomeOtherKey0000000001&${q(createSecurity({ expiry: now() + 60, call: ['remove'] }, SECRET))}`, { method: 'DELETE' });
    expect(otherKey.status).toBe(403);
    expect((await getContent(cfg, handle)).toString()).toBe('guarded');
  });

  it('delete removes the file: later reads and metadata are 404', async () => {
    const handle = await put(Buffer.from('short-lived'));
    await remove(cfg, handle);
    expect(await errOf(getContent(cfg, handle))).toMatchObject({ code: 'not_found' });
    expect(await errOf(metadata(cfg, handle))).toMatchObject({ code: 'not_found' });
    expect(await errOf(remove(cfg, handle))).toMatchObject({ code: 'not_found' });
  });

  it('reads need a signed URL when security is required: expired, wrong call, wrong handle → 403', async () => {
    const handle = await put(Buffer.from('secret bytes'));
    const other = await put(Buffer.from('other'));
    expect((await fetch(`${cloud.baseUrl}/${handle}`)).status).toBe(403);
    expect((await fetch(`${cloud.baseUrl}/api/file/${handle}`)).status).toBe(403);
    const good = await fetch(signedUrl(cfg, handle, { expiry: now() + 60 }));
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('secret bytes');
    expect((await fetch(signedUrl(cfg, handle, { expiry: now() - 1 }))).status).toBe(403);
    expect((await fetch(signedUrl(cfg, handle, { expiry: now() + 60, calls: ['stat'] }))).status).toBe(403);
    expect((await fetch(signedUrl(cfg, handle, { expiry: now() + 60 }).replace(handle, other))).status).toBe(403);
    const forged = signedUrl({ ...cfg, secret: 'wrong-secret' }, handle, { expiry: now() + 60 });
    expect((await fetch(forged)).status).toBe(403);
  });
});

function q(sec: { policy: string; signature: string }): string {
  return `policy=${encodeURIComponent(sec.policy)}&signature=${sec.signature}`;
}
