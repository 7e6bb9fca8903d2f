/**
 * The official SDKs, unmodified, against the local cloud's ImageKit front end (spec §10):
 * `@imagekit/nodejs` (v7) with `baseURL`, and `imagekit` (v6) with `uploadEndpoint` plus its URL
 * signer. Two protocol issues are shown explicitly: v7's `do_not_set` Basic password and its
 * retry of 409s (which `x-should-retry: false` stops), and v6's literal `undefined` form values.
 */
import ImageKitV7 from '@imagekit/nodejs';
import ImageKitV6 from 'imagekit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, get, png, startIkCloud, type IkCloud } from '../localcloud/imagekit-support.js';

let ik: IkCloud;
let photo: Buffer;
/** Requests v7 made, as `METHOD path` plus the Authorization header it sent. */
const seen: { line: string; auth: string | null }[] = [];

const v7 = (): ImageKitV7 =>
  new ImageKitV7({
    privateKey: ACCOUNT.privateKey,
    baseURL: ik.cloud.baseUrl,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      seen.push({ line: `${init?.method ?? 'GET'} ${url.pathname}`, auth: new Headers(init?.headers).get('authorization') });
      return fetch(input, init);
    },
  });

beforeAll(async () => {
  ik = await startIkCloud();
  photo = await png(120, 80, '#884422', true);
});
afterAll(async () => {
  await ik.close();
});

describe('@imagekit/nodejs v7 against the local cloud', () => {
  it('uploads, lists, reads details and deletes unmodified', async () => {
    const client = v7();
    const up = await client.files.upload({
      file: await ImageKitV7.toFile(photo, 'sdk.png'),
      fileName: 'sdk.png',
      useUniqueFileName: false,
      tags: ['sdk', 'v7'],
      folder: '/sdk',
      customMetadata: {},
      responseFields: ['tags'],
    });
    expect(up).toMatchObject({ name: 'sdk.png', filePath: '/sdk/sdk.png', width: 120, height: 80, tags: ['sdk', 'v7'] });
    // The SDK authenticates with `<key>:do_not_set` (§1.2): the password must be ignored.
    const auth = seen.find((s) => s.line === 'POST /api/v1/files/upload')?.auth ?? '';
    expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()).toBe(`${ACCOUNT.privateKey}:do_not_set`);
    expect((await get(up.url ?? '')).body.equals(photo)).toBe(true);

    const listed = await client.assets.list({ searchQuery: 'tags IN ["v7"] AND name = "sdk.png"' });
    expect(listed.map((e) => (e as { filePath?: string }).filePath)).toEqual(['/sdk/sdk.png']);
    const details = await client.files.get(up.fileId ?? '');
    expect(details).toMatchObject({ fileId: up.fileId, name: 'sdk.png', fileType: 'image', isPrivateFile: false });

    await client.files.delete(up.fileId ?? '');
    await expect(client.files.get(up.fileId ?? '')).rejects.toBeInstanceOf(ImageKitV7.NotFoundError);
  });

  it('does not retry a 409 rename: x-should-retry: false overrides its default 2 retries', async () => {
    const client = v7();
    for (const name of ['one.png', 'two.png']) {
      await client.files.upload({ file: await ImageKitV7.toFile(photo, name), fileName: name, useUniqueFileName: false });
    }
    seen.length = 0;
    const err: unknown = await client.files.rename({ filePath: '/one.png', newFileName: 'two.png' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageKitV7.ConflictError);
    expect((err as InstanceType<typeof ImageKitV7.ConflictError>).error).toMatchObject({ reason: 'FILE_ALREADY_EXISTS' });
    expect(seen.filter((s) => s.line === 'PUT /v1/files/rename')).toHaveLength(1);
  });

  it('builds signed URLs the server accepts', async () => {
    const client = v7();
    const src = client.helper.buildSrc({ urlEndpoint: ik.endpoint, src: '/two.png', transformation: [{ width: 60 }], signed: true, expiresIn: 300 });
    const r = await get(src);
    expect(r.status).toBe(200);
    expect((await sharp(r.body).metadata()).width).toBe(60);
  });
});

describe('imagekit v6 against the local cloud', () => {
  it('uploads through uploadEndpoint, with its literal "undefined" values, and its signed URLs are served', async () => {
    const v6 = new ImageKitV6({ publicKey: ACCOUNT.publicKey, privateKey: ACCOUNT.privateKey, urlEndpoint: ik.endpoint, uploadEndpoint: `${ik.cloud.baseUrl}/api/v1/files/upload` });
    // v6 sends every present key, so `tags: undefined` reaches the server as the text "undefined" (§2.1).
    const up = await v6.upload({ file: photo, fileName: 'v6 file.png', useUniqueFileName: false, tags: undefined, folder: undefined });
    expect(up).toMatchObject({ name: 'v6_file.png', filePath: '/v6_file.png', width: 120 });
    // v6 defaults to the path form (`/tr:w-40,h-40/...`); its signature covers the URL as it serialises it.
    const url = v6.url({ path: '/v6_file.png', transformation: [{ width: '40', height: '40' }], signed: true, expireSeconds: 300 });
    const r = await get(url);
    expect(r.status).toBe(200);
    expect((await sharp(r.body).metadata()).width).toBe(40);
    const queryUrl = v6.url({ path: '/v6_file.png', transformation: [{ width: '30' }], transformationPosition: 'query', signed: true });
    expect(queryUrl).toContain('tr=w-30');
    expect((await get(queryUrl)).status).toBe(200);
    expect((await get(url.replace('w-40', 'w-41'))).status).toBe(401);
  });
});
