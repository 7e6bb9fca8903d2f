import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAuthenticationParameters, INVALID_EXPIRE_MESSAGE, tokenReusedMessage } from '../../src-main/protocol/imagekit/auth-params.js';
import { ACCOUNT, api, get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;
let origin: http.Server;
let originUrl: string;
let red: Buffer;

beforeAll(async () => {
  // URL uploads come from a loopback fixture, which the cloud refuses unless told otherwise.
  ik = await startIkCloud({}, undefined, undefined, { allowPrivateFetch: ['127.0.0.1'] });
  red = await png(64, 48, '#ff0000');
  origin = http.createServer((req, res) => {
    if (req.url === '/red.png') {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(red);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => origin.close(r));
  await ik.close();
});

describe('ImageKit upload (§2)', () => {
  it('stores a binary upload with its options and answers the §2.3 object', async () => {
    const r = await upload(ik, {
      file: red,
      fileName: 'red photo.png',
      useUniqueFileName: 'false',
      tags: 't1,t2',
      folder: '/products/shoes/',
      customCoordinates: '1,2,10,20',
      responseFields: 'tags,customCoordinates,isPrivateFile,metadata',
      extensions: '[{"name":"google-auto-tagging","maxTags":5,"minConfidence":90}]',
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      name: 'red_photo.png',
      filePath: '/products/shoes/red_photo.png',
      url: `${ik.endpoint}/products/shoes/red_photo.png`,
      thumbnailUrl: `${ik.endpoint}/tr:n-ik_ml_thumbnail/products/shoes/red_photo.png`,
      fileType: 'image',
      width: 64,
      height: 48,
      size: red.length,
      versionInfo: { name: 'Version 1' },
      AITags: null,
      extensionStatus: { 'google-auto-tagging': 'failed' },
      tags: ['t1', 't2'],
      customCoordinates: '1,2,10,20',
      isPrivateFile: false,
      metadata: { width: 64, height: 48, format: 'png' },
    });
    expect(r.json.fileId).toMatch(/^[0-9a-f]{24}$/);
    expect(r.json.versionInfo.id).toMatch(/^[0-9a-f]{24}$/);
    // The delivered bytes are the uploaded ones.
    const d = await get(r.json.url);
    expect(d.status).toBe(200);
    expect(d.body.equals(red)).toBe(true);
    // The folder chain was created.
    const folders = await api(ik, 'GET', '/v1/files?type=folder');
    expect(folders.json.map((f: { folderPath: string }) => f.folderPath)).toEqual(expect.arrayContaining(['/products', '/products/shoes']));
  });

  it.each([
    // Every letter, mark and digit of every script is kept (spec §2.1: only other characters become `_`).
    ['Devanagari with vowel signs and virama', 'हिन्दी.png', 'हिन्दी.png'],
    ['Thai with tone marks', 'ภาษาไทย.png', 'ภาษาไทย.png'],
    ['Arabic with harakat', 'عَرَبِيّ.png', 'عَرَبِيّ.png'],
    ['Tamil', 'தமிழ்.png', 'தமிழ்.png'],
    ['decomposed Vietnamese (combining marks) with a space', 'Tie\u0302\u0301ng Vie\u0323\u0302t.png', 'Tie\u0302\u0301ng_Vie\u0323\u0302t.png'],
    ['Persian with a zero-width non-joiner', 'می\u200cخواهم.png', 'می\u200cخواهم.png'],
    ['digits of other scripts', '٣٤५६.png', '٣٤५६.png'],
    ['punctuation, symbols and emoji replaced', 'a b+c(d)&é😀.png', 'a_b_c_d__é_.png'],
  ])('keeps file names in %s', async (_name, fileName, stored) => {
    const r = await upload(ik, { file: red, fileName, useUniqueFileName: 'false', folder: '/names' });
    expect(r.status).toBe(200);
    expect(r.json.name).toBe(stored);
    expect(r.json.filePath).toBe(`/names/${stored}`);
    const d = await get(r.json.url);
    expect(d.status).toBe(200);
    expect(d.body.equals(red)).toBe(true);
    const found = await api(ik, 'GET', `/v1/files?searchQuery=${encodeURIComponent(`name = "${stored}"`)}`);
    expect(found.json.map((f: { fileId: string }) => f.fileId)).toEqual([r.json.fileId]);
  });

  it('adds a random suffix by default and accepts base64 (plain and data URI) and URLs', async () => {
    const plain = await upload(ik, { file: red.toString('base64'), fileName: 'b64.png' });
    expect(plain.status).toBe(200);
    expect(plain.json.name).toMatch(/^b64_[A-Za-z0-9]{9}\.png$/);
    expect(plain.json.size).toBe(red.length);
    const dataUri = await upload(ik, { file: `data:image/png;base64,${red.toString('base64')}`, fileName: 'uri.png', useUniqueFileName: 'false' });
    expect(dataUri.status).toBe(200);
    expect((await get(dataUri.json.url)).body.equals(red)).toBe(true);
    const fromUrl = await upload(ik, { file: `${originUrl}/red.png`, fileName: 'remote.png', useUniqueFileName: 'false' });
    expect(fromUrl.status).toBe(200);
    expect(fromUrl.json).toMatchObject({ width: 64, height: 48, size: red.length });
    const missing = await upload(ik, { file: `${originUrl}/nope.png`, fileName: 'x.png' });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toContain('HTTP 404');
  });

  it('applies the duplicate-name rules and versions overwrites', async () => {
    const first = await upload(ik, { file: red, fileName: 'dup.png', useUniqueFileName: 'false', tags: 'keep' });
    expect(first.status).toBe(200);
    const refused = await upload(ik, { file: red, fileName: 'dup.png', useUniqueFileName: 'false', overwriteFile: 'false' });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({
      message: 'A file with the same name already exists at the exact location. We could not overwrite it because both overwriteFile and useUniqueFileName are set to false.',
      help: 'For support kindly contact us at support@imagekit.io .',
    });
    const blue = await png(20, 10, '#0000ff');
    const second = await upload(ik, { file: blue, fileName: 'dup.png', useUniqueFileName: 'false', overwriteTags: 'false', responseFields: 'tags' });
    expect(second.status).toBe(200);
    expect(second.json.fileId).toBe(first.json.fileId);
    expect(second.json.versionInfo.name).toBe('Version 2');
    expect(second.json.tags).toEqual(['keep']);
    expect(second.json.width).toBe(20);
    const third = await upload(ik, { file: blue, fileName: 'dup.png', useUniqueFileName: 'false', responseFields: 'tags' });
    expect(third.json.tags).toBeNull();
  });

  it('validates required fields and tolerates v6 literal "undefined" values', async () => {
    const noName = await upload(ik, { file: red });
    expect(noName.status).toBe(400);
    expect(noName.json.message).toBe('Missing fileName parameter for upload');
    const noFile = await upload(ik, { fileName: 'a.png' });
    expect(noFile.json.message).toBe('Missing file parameter for upload');
    const v6 = await upload(ik, { file: red, fileName: 'v6.png', tags: 'undefined', folder: 'undefined', customMetadata: 'undefined', responseFields: 'tags' });
    expect(v6.status).toBe(200);
    expect(v6.json.filePath).toMatch(/^\/v6_/);
    expect(v6.json.tags).toBeNull();
    const badBool = await upload(ik, { file: red, fileName: 'a.png', isPrivateFile: 'maybe' });
    expect(badBool.status).toBe(400);
  });

  it('applies a pre transformation before storing and enforces simple checks', async () => {
    const r = await upload(ik, { file: red, fileName: 'pre.png', transformation: JSON.stringify({ pre: 'w-32', post: [{ type: 'thumbnail' }] }) });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ width: 32, height: 24 });
    expect((await sharp((await get(r.json.url)).body).metadata()).width).toBe(32);
    const bad = await upload(ik, { file: red, fileName: 'pre.png', transformation: '{"post":"x"}' });
    expect(bad.json.message).toBe('Invalid post transformation parameter.');
    const failing = await upload(ik, { file: red, fileName: 'c.png', folder: '/y', checks: `"request.folder" : "/x/"` });
    expect(failing.status).toBe(400);
    const passing = await upload(ik, { file: red, fileName: 'c.png', folder: '/x/sub', checks: `"request.folder" : "/x/" AND "file.size" < "1mb"` });
    expect(passing.status).toBe(200);
  });

  it('checks customMetadata against the field schemas', async () => {
    const field = await api(ik, 'POST', '/v1/customMetadataFields', { name: 'price', label: 'Price', schema: { type: 'Number', minValue: 0, maxValue: 100 } });
    expect(field.status).toBe(201);
    const tooHigh = await upload(ik, { file: red, fileName: 'p.png', customMetadata: '{"price": 500}' });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.json.message).toContain('price');
    const unknown = await upload(ik, { file: red, fileName: 'p.png', customMetadata: '{"colour":"red"}' });
    expect(unknown.status).toBe(400);
    const wrongType = await upload(ik, { file: red, fileName: 'p.png', customMetadata: '{"price":"cheap"}' });
    expect(wrongType.status).toBe(400);
    const ok = await upload(ik, { file: red, fileName: 'p.png', customMetadata: '{"price": 42}', responseFields: 'customMetadata' });
    expect(ok.status).toBe(200);
    expect(ok.json.customMetadata).toEqual({ price: 42 });
  });

  it('refuses unknown keys (403) and missing credentials (401)', async () => {
    const wrong = await upload(ik, { file: red, fileName: 'a.png' }, `Basic ${Buffer.from('nope:').toString('base64')}`);
    expect(wrong.status).toBe(403);
    expect(wrong.json.message).toBe('Your account cannot be authenticated.');
    const none = await upload(ik, { file: red, fileName: 'a.png' }, null);
    expect(none.status).toBe(401);
    const v7Style = await upload(ik, { file: red, fileName: 'a.png' }, `Basic ${Buffer.from(`${ACCOUNT.privateKey}:do_not_set`).toString('base64')}`);
    expect(v7Style.status).toBe(200);
  });

  it('accepts client-side uploads with a fresh token and refuses reuse and bad expiry', async () => {
    const auth = getAuthenticationParameters(ACCOUNT.privateKey);
    const fields = { file: red, fileName: 'client.png', publicKey: ACCOUNT.publicKey, token: auth.token, expire: String(auth.expire), signature: auth.signature };
    const ok = await upload(ik, fields, null);
    expect(ok.status).toBe(200);
    const reused = await upload(ik, fields, null);
    expect(reused.status).toBe(400);
    expect(reused.json.message).toBe(tokenReusedMessage(auth.token));
    const past = getAuthenticationParameters(ACCOUNT.privateKey, 'tok-past', Math.floor(Date.now() / 1000) - 10);
    const expired = await upload(ik, { ...fields, token: past.token, expire: String(past.expire), signature: past.signature }, null);
    expect(expired.status).toBe(400);
    expect(expired.json.message).toBe(INVALID_EXPIRE_MESSAGE);
    const forged = await upload(ik, { ...fields, token: 'tok-forged', signature: 'a'.repeat(40) }, null);
    expect(forged.status).toBe(400);
    const unknownKey = await upload(ik, { ...fields, publicKey: 'public_nope' }, null);
    expect(unknownKey.status).toBe(403);
  });
});
