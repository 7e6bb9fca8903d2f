/**
 * `@imagekit/nodejs` (v7), unmodified apart from `baseURL`, through its whole surface against the
 * local cloud over loopback HTTP: upload with options, list/search, file details/update/publish/
 * delete, versions, bulk tags and deletes, copy/move/rename, metadata, custom metadata fields,
 * folders and bulk jobs, cache purge, URL building (overlays, signing) and webhook verification
 * (`webhooks.unwrap`, Standard Webhooks). What v7 cannot do against any server is in the README.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ImageKit, { toFile } from '@imagekit/nodejs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, get, png, startIkCloud, type IkCloud } from '../localcloud/imagekit-support.js';

let ik: IkCloud;
let client: ImageKit;
let photo: Buffer;
let receiver: http.Server;
let hookUrl = '';
const hooks: { headers: Record<string, string>; body: string }[] = [];
const WEBHOOK_SECRET = 'whsec-local-test-secret';

beforeAll(async () => {
  ik = await startIkCloud({}, undefined, WEBHOOK_SECRET);
  client = new ImageKit({ privateKey: ACCOUNT.privateKey, baseURL: ik.cloud.baseUrl, webhookSecret: WEBHOOK_SECRET, maxRetries: 0 });
  photo = await png(120, 80, '#336699', true);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await ik.close();
});

const upload = async (name: string, extra: Partial<ImageKit.FileUploadParams> = {}): Promise<ImageKit.FileUploadResponse> =>
  client.files.upload({ file: await toFile(photo, name), fileName: name, useUniqueFileName: false, ...extra });

describe('@imagekit/nodejs v7: files', () => {
  it('uploads with options, response fields, a pre transformation and a webhook both schemes sign', async () => {
    await client.customMetadataFields.create({ name: 'price', label: 'Price', schema: { type: 'Number', minValue: 0, maxValue: 1000 } });
    const up = await upload('product.png', {
      folder: '/shop',
      tags: ['sale', 'new'],
      customCoordinates: '1,2,30,40',
      customMetadata: { price: 12 },
      isPrivateFile: false,
      description: 'A product shot',
      responseFields: ['tags', 'customCoordinates', 'customMetadata', 'isPrivateFile', 'metadata'],
      transformation: { pre: 'w-60' },
      webhookUrl: hookUrl,
      extensions: [{ name: 'google-auto-tagging', maxTags: 5, minConfidence: 80 }],
    });
    expect(up).toMatchObject({ name: 'product.png', filePath: '/shop/product.png', width: 60, height: 40, tags: ['sale', 'new'], customCoordinates: '1,2,30,40', customMetadata: { price: 12 }, isPrivateFile: false });
    expect(up.metadata).toMatchObject({ width: 60, height: 40, format: 'png' });
    expect(up.extensionStatus).toMatchObject({ 'google-auto-tagging': 'failed' });
    for (let i = 0; i < 100 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const hook = hooks[0];
    expect(hook).toBeDefined();
    const event = client.webhooks.unwrap(hook?.body ?? '', { headers: hook?.headers ?? {} });
    expect(event).toMatchObject({ type: 'file.created', data: { fileId: up.fileId } });
    expect(() => client.webhooks.unwrap((hook?.body ?? '').replace('product', 'produce'), { headers: hook?.headers ?? {} })).toThrow();
  });

  it('keeps every letter and mark of a Unicode name', async () => {
    const up = await upload('हिन्दी.png');
    expect(up.name).toBe('हिन्दी.png');
    expect((await get(up.url ?? '')).body.equals(photo)).toBe(true);
  });

  it('lists and searches with all four query forms, including the quoted field', async () => {
    await upload('cheap.png', { folder: '/shop', customMetadata: { price: 3 } });
    const byPrice = await client.assets.list({ searchQuery: '"customMetadata.price" > 5' });
    expect(byPrice.map((f) => (f as ImageKit.File).name)).toEqual(['product.png']);
    const plain = await client.assets.list({ searchQuery: 'customMetadata.price < 5 AND name = "cheap.png"' });
    expect(plain.map((f) => (f as ImageKit.File).name)).toEqual(['cheap.png']);
    const folder = await client.assets.list({ path: '/shop', sort: 'DESC_NAME', type: 'file', fileType: 'image', limit: 10, skip: 0 });
    expect(folder.map((f) => (f as ImageKit.File).name)).toEqual(['product.png', 'cheap.png']);
    const folders = await client.assets.list({ type: 'folder' });
    expect(folders.map((f) => (f as ImageKit.Folder).folderPath)).toContain('/shop');
  });

  it('reads, updates, publishes and deletes a file', async () => {
    const up = await upload('edit.png');
    const id = up.fileId ?? '';
    expect(await client.files.get(id)).toMatchObject({ fileId: id, name: 'edit.png', fileType: 'image', width: 120, isPublished: true });
    const updated = await client.files.update(id, { tags: ['x'], customCoordinates: '0,0,5,5', customMetadata: { price: 7 }, removeAITags: 'all', description: 'edited' });
    expect(updated).toMatchObject({ tags: ['x'], customCoordinates: '0,0,5,5', customMetadata: { price: 7 } });
    await client.files.update(id, { publish: { isPublished: false } });
    expect((await client.files.get(id)).isPublished).toBe(false);
    expect((await get(up.url ?? '')).status).toBe(404);
    await client.files.update(id, { publish: { isPublished: true, includeFileVersions: true } });
    expect((await get(up.url ?? '')).status).toBe(200);
    await client.files.delete(id);
    await expect(client.files.get(id)).rejects.toBeInstanceOf(ImageKit.NotFoundError);
  });

  it('lists, reads, restores and deletes versions', async () => {
    const first = await upload('versioned.png');
    await client.files.upload({ file: await toFile(await png(30, 30, '#ff0000'), 'versioned.png'), fileName: 'versioned.png', useUniqueFileName: false, overwriteFile: true });
    const id = first.fileId ?? '';
    const versions = await client.files.versions.list(id);
    expect(versions).toHaveLength(2);
    const old = versions.find((v) => v.versionInfo?.id === first.versionInfo?.id);
    expect(await client.files.versions.get(first.versionInfo?.id ?? '', { fileId: id })).toMatchObject({ width: 120 });
    const restored = await client.files.versions.restore(old?.versionInfo?.id ?? '', { fileId: id });
    expect(restored).toMatchObject({ width: 120 });
    const now = await client.files.versions.list(id);
    const nonCurrent = now.find((v) => v.versionInfo?.id !== restored.versionInfo?.id);
    await client.files.versions.delete(nonCurrent?.versionInfo?.id ?? '', { fileId: id });
    expect(await client.files.versions.list(id)).toHaveLength(now.length - 1);
  });

  it('copies, moves and renames files, and runs bulk tag and delete calls', async () => {
    const a = await upload('a.png', { folder: '/ops' });
    const b = await upload('b.png', { folder: '/ops' });
    await client.files.copy({ sourceFilePath: '/ops/a.png', destinationPath: '/ops-copy/', includeFileVersions: true });
    await client.files.move({ sourceFilePath: '/ops/b.png', destinationPath: '/ops-moved/' });
    const renamed = await client.files.rename({ filePath: '/ops-copy/a.png', newFileName: 'c.png', purgeCache: true });
    expect(renamed.purgeRequestId).toBeTruthy();
    const names = (await client.assets.list({ searchQuery: 'name IN ["a.png", "b.png", "c.png"]' })).map((f) => (f as ImageKit.File).filePath).sort();
    expect(names).toEqual(['/ops-copy/c.png', '/ops-moved/b.png', '/ops/a.png']);
    const ids = [a.fileId ?? '', b.fileId ?? ''];
    expect(await client.files.bulk.addTags({ fileIds: ids, tags: ['bulk'] })).toMatchObject({ successfullyUpdatedFileIds: ids });
    expect(await client.files.bulk.removeTags({ fileIds: ids, tags: ['bulk'] })).toMatchObject({ successfullyUpdatedFileIds: ids });
    expect(await client.files.bulk.removeAITags({ fileIds: ids, AITags: ['car'] })).toMatchObject({ successfullyUpdatedFileIds: ids });
    expect(await client.files.bulk.delete({ fileIds: ids })).toMatchObject({ successfullyDeletedFileIds: ids });
    await expect(client.files.bulk.delete({ fileIds: ['000000000000000000000000'] })).rejects.toBeInstanceOf(ImageKit.NotFoundError);
  });

  it('answers metadata by file id and by URL', async () => {
    const up = await upload('meta.png');
    const byId = await client.files.metadata.get(up.fileId ?? '');
    expect(byId).toMatchObject({ width: 120, height: 80, format: 'png' });
    expect(byId.pHash).toMatch(/^[0-9a-f]{16}$/);
    const byUrl = await client.files.metadata.getFromURL({ url: up.url ?? '' });
    expect(byUrl.pHash).toBe(byId.pHash);
  });
});

describe('@imagekit/nodejs v7: custom metadata fields, folders, cache', () => {
  it('creates, lists, updates and deletes fields', async () => {
    const field = await client.customMetadataFields.create({ name: 'colour', label: 'Colour', schema: { type: 'SingleSelect', selectOptions: ['red', 'blue'] } });
    expect(field).toMatchObject({ name: 'colour', label: 'Colour', schema: { type: 'SingleSelect' } });
    expect((await client.customMetadataFields.list()).map((f) => f.name)).toEqual(expect.arrayContaining(['price', 'colour']));
    expect(await client.customMetadataFields.update(field.id, { label: 'Color' })).toMatchObject({ label: 'Color' });
    await client.customMetadataFields.delete(field.id);
    expect((await client.customMetadataFields.list()).map((f) => f.name)).not.toContain('colour');
    expect((await client.customMetadataFields.list({ includeDeleted: true })).map((f) => f.name)).toContain('colour');
    await expect(client.files.update((await upload('f.png')).fileId ?? '', { customMetadata: { price: 5000 } })).rejects.toBeInstanceOf(ImageKit.BadRequestError);
  });

  it('creates, copies, moves, renames and deletes folders through bulk jobs', async () => {
    await client.folders.create({ folderName: 'album', parentFolderPath: '/' });
    await upload('pic.png', { folder: '/album' });
    const copy = await client.folders.copy({ sourceFolderPath: '/album', destinationPath: '/backup', includeVersions: true });
    expect(await client.folders.job.get(copy.jobId)).toMatchObject({ jobId: copy.jobId, type: 'COPY_FOLDER', status: 'Completed' });
    const move = await client.folders.move({ sourceFolderPath: '/backup/album', destinationPath: '/archive' });
    expect((await client.folders.job.get(move.jobId)).type).toBe('MOVE_FOLDER');
    const rename = await client.folders.rename({ folderPath: '/archive/album', newFolderName: 'old-album' });
    expect((await client.folders.job.get(rename.jobId)).type).toBe('RENAME_FOLDER');
    expect((await client.assets.list({ searchQuery: 'name = "pic.png"' })).map((f) => (f as ImageKit.File).filePath).sort()).toEqual(['/album/pic.png', '/archive/old-album/pic.png']);
    await client.folders.delete({ folderPath: '/archive' });
    expect((await client.assets.list({ searchQuery: 'name = "pic.png"' })).map((f) => (f as ImageKit.File).filePath)).toEqual(['/album/pic.png']);
  });

  it('purges the cache and reports the purge status', async () => {
    const up = await upload('purge.png');
    const { requestId } = await client.cache.invalidation.create({ url: up.url ?? '' });
    expect(await client.cache.invalidation.get(requestId ?? '')).toMatchObject({ status: 'Completed' });
  });
});

describe('@imagekit/nodejs v7: URLs and client-side upload parameters', () => {
  it('builds signed URLs with overlays the local cloud renders', async () => {
    await upload('logo.png', { folder: '/brand' });
    const src = client.helper.buildSrc({
      urlEndpoint: ik.endpoint,
      src: '/shop/product.png',
      transformation: [{ width: 50 }, { overlay: { type: 'image', input: '/brand/logo.png', position: { x: 0, y: 0 }, transformation: [{ width: 10 }] } }, { defaultImage: '' }],
      signed: true,
      expiresIn: 300,
    });
    expect(src).toContain('di-');
    const r = await get(src);
    expect(r.status).toBe(200);
    expect((await sharp(r.body).metadata()).width).toBe(50);
    expect((await get(src.replace('w-50', 'w-51'))).status).toBe(401);
  });

  it('signs client-side upload parameters the upload endpoint accepts once', async () => {
    const auth = client.helper.getAuthenticationParameters();
    const form = new FormData();
    form.append('file', new Blob([photo]), 'client.png');
    form.append('fileName', 'client.png');
    form.append('publicKey', ACCOUNT.publicKey);
    for (const [k, v] of Object.entries(auth)) form.append(k, String(v));
    const first = await fetch(`${ik.cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', body: form });
    expect(first.status).toBe(200);
    expect((await fetch(`${ik.cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', body: form })).status).toBe(400);
  });
});
