/**
 * The ImageKit client against the local cloud's ImageKit front end over real loopback HTTP:
 * uploads (binary, base64, URL) with options and response fields, typed errors, and delivery
 * URLs (signed with expiry, tampered, transformed — checked with sharp).
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { httpRequest } from '../../src-main/net/http.js';
import { createImageKitClient, type ImageKitClient } from '../../src-main/providers/imagekit/client.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { errorOf } from '../support/errors.js';

const ACCOUNT = { imagekitId: 'livetest', privateKey: 'private_live_key_0001', publicKey: 'public_live_key_0001' };

let dir = '';
let cloud: LocalCloud;
let proxy: FaultProxy;
let ik: ImageKitClient;
let endpoint = '';

const get = (url: string) => httpRequest({ method: 'GET', url });

beforeAll(async () => {
  dir = await makeTempDir('ferry-ik-live-');
  // URL uploads come from a loopback fixture, which the cloud refuses unless told otherwise.
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), imagekit: { accounts: [ACCOUNT] }, allowPrivateFetch: ['127.0.0.1'] });
  proxy = await startFaultProxy(cloud.baseUrl);
  endpoint = `${cloud.baseUrl}/ik/${ACCOUNT.imagekitId}`;
  ik = createImageKitClient({ privateKey: ACCOUNT.privateKey, publicKey: ACCOUNT.publicKey, urlEndpoint: endpoint, uploadBase: proxy.url, apiBase: proxy.url });
});
afterAll(async () => {
  await proxy?.close();
  await cloud?.close();
  await removeTempDir(dir);
});

describe('ImageKit upload against the local cloud', () => {
  it('uploads a binary file with options and returns the requested response fields', async () => {
    const file = path.join(dir, 'bin-1.dat');
    const bytes = await writeRandomFile(file, 700_000);
    const progress: number[] = [];
    const res = await ik.upload({
      file: { path: file },
      fileName: 'bin-1.dat',
      folder: '/live/bin/',
      useUniqueFileName: false,
      tags: ['alpha', 'beta'],
      customCoordinates: '10,10,20,20',
      isPrivateFile: false,
      responseFields: ['tags', 'customCoordinates', 'isPrivateFile'],
      onProgress: (sent) => progress.push(sent),
    });
    expect(res).toMatchObject({ name: 'bin-1.dat', filePath: '/live/bin/bin-1.dat', size: bytes.length, tags: ['alpha', 'beta'], customCoordinates: '10,10,20,20', isPrivateFile: false });
    expect(res.fileId).not.toBe('');
    expect(res.versionInfo?.id).toBeTruthy();
    expect(progress.at(-1)).toBe(bytes.length);
    const delivered = await get(res.url);
    expect(delivered.status).toBe(200);
    expect(hashBytes(delivered.body, 'md5')).toBe(hashBytes(bytes, 'md5'));
  });

  it('uploads base64 and by URL', async () => {
    const b64 = await ik.upload({ file: { base64: Buffer.from('hello imagekit').toString('base64') }, fileName: 'hello.txt', folder: '/live/b64' });
    expect(b64.size).toBe(14);
    expect((await get(b64.url)).body.toString()).toBe('hello imagekit');
    const byUrl = await ik.upload({ file: { url: b64.url }, fileName: 'copy.txt', folder: '/live/url' });
    expect(byUrl.size).toBe(14);
    expect(byUrl.filePath).toMatch(/^\/live\/url\/copy.*\.txt$/);
    expect((await get(byUrl.url)).body.toString()).toBe('hello imagekit');
  });

  it('missing fileName is a typed error without a request', async () => {
    const before = proxy.log.length;
    const err = await errorOf(ik.upload({ file: { base64: 'YWJj' } } as never));
    expect(err).toMatchObject({ code: 'bad_request', message: 'Missing fileName parameter for upload' });
    expect(proxy.log.length).toBe(before);
  });

  it('an invalid private key is a typed forbidden with message and help', async () => {
    const bad = createImageKitClient({ privateKey: 'private_wrong', urlEndpoint: endpoint, uploadBase: cloud.baseUrl, apiBase: cloud.baseUrl });
    const up = await errorOf(bad.upload({ file: { base64: 'YWJj' }, fileName: 'x.txt' }));
    expect(up.code).toBe('forbidden');
    expect(up.message).toBe('Your account cannot be authenticated.');
    expect(up.details?.help).toBe('For support kindly contact us at support@imagekit.io .');
    expect((await errorOf(bad.listFiles())).code).toBe('forbidden');
  });

  it('client-side auth (publicKey + signature) uploads without the Basic header', async () => {
    const auth = ik.getAuthenticationParameters();
    const res = await ik.upload({ file: { base64: 'YWJj' }, fileName: 'client.txt', clientSideAuth: { ...auth, publicKey: ACCOUNT.publicKey } });
    expect(res.size).toBe(3);
    const reused = await errorOf(ik.upload({ file: { base64: 'YWJj' }, fileName: 'client2.txt', clientSideAuth: { ...auth, publicKey: ACCOUNT.publicKey } }));
    expect(reused.code).toBe('bad_request');
  });
});

describe('ImageKit delivery URLs against the local cloud', () => {
  let filePath = '';
  beforeAll(async () => {
    const png = await sharp({ create: { width: 200, height: 120, channels: 3, background: { r: 200, g: 20, b: 20 } } }).png().toBuffer();
    const res = await ik.upload({ file: { base64: png.toString('base64') }, fileName: 'red.png', folder: '/live/img', useUniqueFileName: false });
    filePath = res.filePath;
  });

  it('serves transformations with the requested dimensions', async () => {
    for (const position of ['query', 'path'] as const) {
      const res = await get(ik.url({ path: filePath, transformation: [{ width: 50, height: 40 }], transformationPosition: position }));
      expect(res.status).toBe(200);
      const meta = await sharp(res.body).metadata();
      expect([meta.width, meta.height]).toEqual([50, 40]);
    }
  });

  it('a signed URL with expiry is served; a tampered one is refused with 401', async () => {
    const signed = ik.url({ path: filePath, transformation: [{ width: 30 }], expiresIn: 300 });
    expect(signed).toMatch(/ik-t=\d+&ik-s=[0-9a-f]{40}$/);
    const ok = await get(signed);
    expect(ok.status).toBe(200);
    expect((await sharp(ok.body).metadata()).width).toBe(30);
    const tampered = signed.replace('tr=w-30', 'tr=w-31');
    expect((await get(tampered)).status).toBe(401);
    const badSig = signed.replace(/ik-s=([0-9a-f])/, (_m, c: string) => `ik-s=${c === '0' ? '1' : '0'}`);
    expect((await get(badSig)).status).toBe(401);
    const expired = ik.url({ path: filePath, expiresIn: 10, now: Date.now() / 1000 - 3600 });
    expect((await get(expired)).status).toBe(401);
  });
});
