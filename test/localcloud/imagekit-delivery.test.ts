import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUrl } from '../../src-main/protocol/imagekit/signing.js';
import { buildUrl } from '../../src-shared/imagekit/url-builder.js';
import { ACCOUNT, get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;
let photo: Buffer;
const now = (): number => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  ik = await startIkCloud();
  photo = await png(400, 300, '#3366cc', true);
  expect((await upload(ik, { file: photo, fileName: 'photo.png', folder: '/gallery', useUniqueFileName: 'false' })).status).toBe(200);
  expect((await upload(ik, { file: photo, fileName: 'secret.png', useUniqueFileName: 'false', isPrivateFile: 'true' })).status).toBe(200);
  expect((await upload(ik, { file: photo, fileName: 'draft.png', useUniqueFileName: 'false', isPublished: 'false' })).status).toBe(200);
});
afterAll(async () => {
  await ik.close();
});

const dims = async (bytes: Buffer): Promise<[number | undefined, number | undefined]> => {
  const m = await sharp(bytes).metadata();
  return [m.width, m.height];
};

describe('ImageKit delivery (§4)', () => {
  it('serves the original bytes without a transformation', async () => {
    const r = await get(`${ik.endpoint}/gallery/photo.png`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.body.equals(photo)).toBe(true);
  });

  it('renders tr:w-100 in the path and ?tr= in the query the same way', async () => {
    const path = await get(`${ik.endpoint}/tr:w-100/gallery/photo.png`);
    expect(path.status).toBe(200);
    expect(await dims(path.body)).toEqual([100, 75]);
    const query = await get(`${ik.endpoint}/gallery/photo.png?tr=w-100`);
    expect(await dims(query.body)).toEqual([100, 75]);
    const encoded = await get(`${ik.endpoint}/gallery/photo.png?tr=w-120%2Ch-40%3Af-jpg`);
    expect(encoded.headers.get('content-type')).toBe('image/jpeg');
    expect(await dims(encoded.body)).toEqual([120, 40]);
    // Path step then query step: 200 wide, then rotated.
    const chained = await get(`${ik.endpoint}/tr:w-200/gallery/photo.png?tr=rt-90`);
    expect(await dims(chained.body)).toEqual([150, 200]);
  });

  it('reads ar-4:3 and di- in delivered transformations', async () => {
    const r = await get(`${ik.endpoint}/gallery/photo.png?tr=w-200,ar-4:3`);
    expect(r.status).toBe(200);
    expect(await dims(r.body)).toEqual([200, 150]);
    const path = await get(`${ik.endpoint}/tr:w-160,ar-16:9,di-/gallery/photo.png`);
    expect(path.status).toBe(200);
    expect(await dims(path.body)).toEqual([160, 90]);
  });

  it('serves the default image (with the chain applied) when the file is missing', async () => {
    const r = await get(`${ik.endpoint}/gallery/missing.png?tr=w-50,di-gallery@@photo.png`);
    expect(r.status).toBe(200);
    expect(await dims(r.body)).toEqual([50, 38]);
    // `di-` means no default: still a 404, as is a default image that does not exist either.
    expect((await get(`${ik.endpoint}/gallery/missing.png?tr=w-50,di-`)).status).toBe(404);
    expect((await get(`${ik.endpoint}/gallery/missing.png?tr=di-nope.png`)).status).toBe(404);
    // A private file is never handed out as someone else's default image.
    expect((await get(`${ik.endpoint}/missing.png?tr=di-secret.png`)).status).toBe(404);
  });

  it('keeps a / inside a tr: path segment as part of the transformation', async () => {
    // The first split point (`tr:w-80,di-gallery`) names no file; the second one does.
    const slash = await get(`${ik.endpoint}/tr:w-80,di-gallery/photo.png/gallery/photo.png`);
    expect(slash.status).toBe(200);
    expect(await dims(slash.body)).toEqual([80, 60]);
    // A missing file after such a segment is a 404 naming the file, not a parse error.
    const missing = await get(`${ik.endpoint}/tr:w-80,di-a/b.png/gallery/none.png`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toContain('/gallery/none.png');
  });

  it('supports the media-library thumbnail named transformation', async () => {
    const r = await get(`${ik.endpoint}/tr:n-ik_ml_thumbnail/gallery/photo.png`);
    expect(r.status).toBe(200);
    const [w, h] = await dims(r.body);
    expect(Math.max(w ?? 999, h ?? 999)).toBeLessThanOrEqual(200);
  });

  it('answers 404 for unknown paths and drafts, 400 for unsupported or invalid transformations', async () => {
    expect((await get(`${ik.endpoint}/gallery/nope.png`)).status).toBe(404);
    expect((await get(`${ik.endpoint}/draft.png`)).status).toBe(404);
    const unsupported = await get(`${ik.endpoint}/tr:w-100,e-bgremove,sr-240_360/gallery/photo.png`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.json.message).toContain('e-bgremove');
    expect(unsupported.json.message).toContain('sr');
    const invalid = await get(`${ik.endpoint}/tr:w-abc/gallery/photo.png`);
    expect(invalid.status).toBe(400);
    expect(invalid.json.message).toContain('w');
    // An Object.prototype name as a crop is an unknown value (it used to throw inside: a 500).
    const prototypeName = await get(`${ik.endpoint}/gallery/photo.png?tr=w-100,c-constructor`);
    expect(prototypeName.status).toBe(400);
    expect(prototypeName.json.message).toBe('Invalid transformation: Invalid value "constructor" for transformation parameter "c".');
  });

  it('serves signed URLs (query and path forms) and refuses tampered or expired ones with 401', async () => {
    const opts = { urlEndpoint: ik.endpoint, privateKey: ACCOUNT.privateKey, now: now(), expiresInSeconds: 300 };
    const queryUrl = signUrl(buildUrl({ urlEndpoint: ik.endpoint, path: '/gallery/photo.png', transformation: [{ width: 100 }] }), opts);
    expect(queryUrl).toContain('ik-s=');
    const ok = await get(queryUrl);
    expect(ok.status).toBe(200);
    expect(await dims(ok.body)).toEqual([100, 75]);
    const pathUrl = signUrl(buildUrl({ urlEndpoint: ik.endpoint, path: '/gallery/photo.png', transformation: [{ height: 30 }], transformationPosition: 'path' }), opts);
    expect(pathUrl).toContain('/tr:h-30/');
    expect((await get(pathUrl)).status).toBe(200);

    const tampered = queryUrl.replace('tr=w-100', 'tr=w-101');
    const t = await get(tampered);
    expect(t.status).toBe(401);
    expect(t.json.message).toMatch(/signature/i);
    const expired = signUrl(buildUrl({ urlEndpoint: ik.endpoint, path: '/gallery/photo.png' }), { ...opts, now: now() - 1000, expiresInSeconds: 10 });
    const e = await get(expired);
    expect(e.status).toBe(401);
    expect(e.json.message).toMatch(/expired/i);
  });

  it('requires a signed URL for private files, except for a named thumbnail', async () => {
    expect((await get(`${ik.endpoint}/secret.png`)).status).toBe(401);
    const signed = signUrl(`${ik.endpoint}/secret.png`, { urlEndpoint: ik.endpoint, privateKey: ACCOUNT.privateKey, now: now() });
    const r = await get(signed);
    expect(r.status).toBe(200);
    expect(r.body.equals(photo)).toBe(true);
    expect((await get(`${ik.endpoint}/tr:n-ik_ml_thumbnail/secret.png`)).status).toBe(200);
  });
});
