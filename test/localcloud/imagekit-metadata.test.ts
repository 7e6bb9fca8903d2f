import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pHashDistance } from '../../src-shared/imagekit/phash.js';
import { computePHash } from '../../src-main/localcloud/imagekit/metadata.js';
import { api, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;

/** A structured test picture (so the DCT has something to see); `variant` changes its layout. */
async function picture(size: number, variant: 'circles' | 'bars'): Promise<Buffer> {
  const shapes =
    variant === 'circles'
      ? `<circle cx="30%" cy="35%" r="22%" fill="#fff"/><circle cx="72%" cy="70%" r="15%" fill="#222"/><rect x="0" y="80%" width="40%" height="20%" fill="#ddd"/>`
      : `<rect x="0" y="0" width="20%" height="100%" fill="#fff"/><rect x="50%" y="0" width="15%" height="100%" fill="#111"/><rect x="0" y="40%" width="100%" height="10%" fill="#eee"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="#777"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).withExif({ IFD0: { Make: 'FerryCam', Model: 'T1' } }).toBuffer();
}

const distance = (a: string, b: string): number => {
  const r = pHashDistance(a, b);
  if (!r.ok) throw new Error(r.message);
  return r.distance;
};

beforeAll(async () => {
  ik = await startIkCloud();
});
afterAll(async () => {
  await ik.close();
});

describe('ImageKit metadata (§5.7)', () => {
  it('returns size, format, transparency, EXIF and a pHash that tracks visual similarity', async () => {
    const a = await picture(256, 'circles');
    const aSmall = await sharp(a).resize(128).jpeg({ quality: 70 }).toBuffer();
    const b = await picture(256, 'bars');
    const up = async (bytes: Buffer, name: string): Promise<string> => (await upload(ik, { file: bytes, fileName: name })).json.fileId as string;
    const [idA, idA2, idSmall, idB] = [await up(a, 'a.jpg'), await up(a, 'a-again.jpg'), await up(aSmall, 'a-small.jpg'), await up(b, 'b.jpg')];

    const meta = await api(ik, 'GET', `/v1/files/${idA}/metadata`);
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ width: 256, height: 256, size: a.length, format: 'jpg', hasTransparency: false });
    expect(meta.json.exif.image).toMatchObject({ Make: 'FerryCam', Model: 'T1' });
    expect(meta.json.pHash).toMatch(/^[0-9a-f]{16}$/);

    const hash = async (id: string): Promise<string> => (await api(ik, 'GET', `/v1/files/${id}/metadata`)).json.pHash as string;
    const [hA, hA2, hSmall, hB] = [meta.json.pHash as string, await hash(idA2), await hash(idSmall), await hash(idB)];
    expect(hA2).toBe(hA);
    const near = distance(hA, hSmall);
    const far = distance(hA, hB);
    expect(near).toBeLessThanOrEqual(6);
    expect(far).toBeGreaterThan(near + 10);
  });

  it('describes a delivery URL (transformed too) and refuses URLs of other accounts', async () => {
    const r = await upload(ik, { file: await picture(200, 'bars'), fileName: 'u.jpg', useUniqueFileName: 'false' });
    const byUrl = await api(ik, 'GET', `/v1/metadata?url=${encodeURIComponent(r.json.url)}`);
    expect(byUrl.json).toMatchObject({ width: 200, height: 200 });
    const transformed = await api(ik, 'GET', `/v1/metadata?url=${encodeURIComponent(`${ik.endpoint}/tr:w-50/u.jpg`)}`);
    expect(transformed.json).toMatchObject({ width: 50, height: 50 });
    const foreign = await api(ik, 'GET', `/v1/metadata?url=${encodeURIComponent('https://ik.imagekit.io/other/u.jpg')}`);
    expect(foreign.status).toBe(400);
    expect(foreign.json.message).toBe('https://ik.imagekit.io/other/u.jpg should be accessible using your ImageKit.io account.');
  });

  it('computes a flat image to a stable hash and ignores transparency', async () => {
    const flat = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(await computePHash(flat)).toBe(await computePHash(flat));
  });
});

describe('ImageKit custom metadata fields (§6)', () => {
  it('creates fields of every type with schema validation, refuses duplicates and bad schemas', async () => {
    const good = [
      { name: 'title', label: 'Title', schema: { type: 'Text', minLength: 1, maxLength: 20 } },
      { name: 'notes', label: 'Notes', schema: { type: 'Textarea' } },
      { name: 'rating', label: 'Rating', schema: { type: 'Number', minValue: 1, maxValue: 5, isValueRequired: true, defaultValue: 3 } },
      { name: 'shotOn', label: 'Shot on', schema: { type: 'Date', minValue: '2020-01-01T00:00:00+00:00' } },
      { name: 'approved', label: 'Approved', schema: { type: 'Boolean', defaultValue: false } },
      { name: 'size', label: 'Size', schema: { type: 'SingleSelect', selectOptions: ['S', 'M', 'L'] } },
      { name: 'colors', label: 'Colors', schema: { type: 'MultiSelect', selectOptions: ['red', 'blue'], defaultValue: ['red'] } },
    ];
    for (const f of good) {
      const r = await api(ik, 'POST', '/v1/customMetadataFields', f);
      expect(r.status, f.name).toBe(201);
      expect(r.json).toMatchObject({ name: f.name, label: f.label, schema: f.schema, id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    }
    const bad = [
      { name: 'x1', label: 'X', schema: { type: 'Colour' } },
      { name: 'x2', label: 'X', schema: { type: 'SingleSelect' } },
      { name: 'x3', label: 'X', schema: { type: 'Number', isValueRequired: true } },
      { name: 'x4', label: 'X', schema: { type: 'Number', minValue: 5, maxValue: 1 } },
      { name: 'x5', label: 'X', schema: { type: 'Text', minValue: 1 } },
      { name: 'x6', label: 'X', schema: { type: 'SingleSelect', selectOptions: ['a'], defaultValue: 'b' } },
      { name: 'x7', label: 'X' },
    ];
    for (const f of bad) expect((await api(ik, 'POST', '/v1/customMetadataFields', f)).status, f.name).toBe(400);
    const dup = await api(ik, 'POST', '/v1/customMetadataFields', good[0]);
    expect(dup.status).toBe(400);
    expect(dup.json.message).toBe('A custom metadata field with this name already exists');
  });

  it('applies defaults on upload and validates values of each type', async () => {
    const ok = await upload(ik, { file: Buffer.from('x'), fileName: 'f.txt', customMetadata: JSON.stringify({ title: 'Hi', size: 'M', colors: ['blue'], shotOn: '2021-05-01T00:00:00Z' }), responseFields: 'customMetadata' });
    expect(ok.status).toBe(200);
    expect(ok.json.customMetadata).toEqual({ title: 'Hi', size: 'M', colors: ['blue'], shotOn: '2021-05-01T00:00:00Z', rating: 3, approved: false });
    for (const bad of [{ title: '' }, { rating: 9 }, { shotOn: '2019-01-01T00:00:00Z' }, { approved: 'yes' }, { size: 'XL' }, { colors: ['green'] }, { colors: 'red' }]) {
      const r = await upload(ik, { file: Buffer.from('x'), fileName: 'f.txt', customMetadata: JSON.stringify(bad) });
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    const unsetRequired = await api(ik, 'PATCH', `/v1/files/${ok.json.fileId}/details`, { customMetadata: { rating: null } });
    expect(unsetRequired.status).toBe(400);
  });

  it('lists, updates, deletes (204) and 404s unknown ids', async () => {
    const list = await api(ik, 'GET', '/v1/customMetadataFields?includeDeleted=false');
    const title = (list.json as { id: string; name: string }[]).find((f) => f.name === 'title');
    expect(title).toBeDefined();
    const upd = await api(ik, 'PATCH', `/v1/customMetadataFields/${title?.id}`, { label: 'Headline', schema: { maxLength: 50 } });
    expect(upd.status).toBe(200);
    expect(upd.json).toMatchObject({ label: 'Headline', schema: { type: 'Text', minLength: 1, maxLength: 50 } });
    expect((await api(ik, 'PATCH', `/v1/customMetadataFields/${title?.id}`, { schema: { type: 'Number' } })).status).toBe(400);
    expect((await api(ik, 'PATCH', `/v1/customMetadataFields/${title?.id}`, {})).json.message).toBe('Both label and schema is missing');
    expect((await api(ik, 'DELETE', `/v1/customMetadataFields/${title?.id}`)).status).toBe(204);
    const after = await api(ik, 'GET', '/v1/customMetadataFields');
    expect((after.json as { name: string }[]).some((f) => f.name === 'title')).toBe(false);
    const withDeleted = await api(ik, 'GET', '/v1/customMetadataFields?includeDeleted=true');
    expect((withDeleted.json as { name: string }[]).some((f) => f.name === 'title')).toBe(true);
    const missing = await api(ik, 'DELETE', `/v1/customMetadataFields/${title?.id}`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('No such custom metadata field exists');
    expect((await api(ik, 'PATCH', '/v1/customMetadataFields/ffffffffffffffffffffffff', { label: 'x' })).status).toBe(404);
  });
});
