/**
 * `imagekit` v6, unmodified, through its whole surface against the local cloud over loopback HTTP.
 * v6 takes a custom upload URL (`uploadEndpoint`) but hard-codes `https://api.imagekit.io` for
 * every media-API call (spec §10): no option, and HTTPS_PROXY cannot help since axios tunnels
 * HTTPS. The test reaches the local cloud the only way a v6 user can without patching the SDK: a
 * request interceptor on the axios instance v6 itself loads, rewriting that host. The SDK's own
 * code (URLs, bodies, auth, callbacks, error shapes) runs untouched.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { AxiosStatic, InternalAxiosRequestConfig } from 'axios';
import ImageKit from 'imagekit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, get, png, startIkCloud, type IkCloud } from '../localcloud/imagekit-support.js';

const axios = createRequire(createRequire(import.meta.url).resolve('imagekit'))('axios') as AxiosStatic;
const WEBHOOK_SECRET = 'v6-webhook-secret';

let ik: IkCloud;
let v6: ImageKit;
let photo: Buffer;
let interceptor = -1;
let receiver: http.Server;
let hookUrl = '';
const hooks: { signature: string; body: string }[] = [];
/** Every media-API request v6 made, as `METHOD path`. */
const calls: string[] = [];

beforeAll(async () => {
  ik = await startIkCloud({}, undefined, WEBHOOK_SECRET);
  interceptor = axios.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    if (config.url?.startsWith('https://api.imagekit.io/')) {
      config.url = ik.cloud.baseUrl + config.url.slice('https://api.imagekit.io'.length);
      calls.push(`${(config.method ?? 'get').toUpperCase()} ${new URL(config.url).pathname}`);
    }
    return config;
  });
  v6 = new ImageKit({ publicKey: ACCOUNT.publicKey, privateKey: ACCOUNT.privateKey, urlEndpoint: ik.endpoint, uploadEndpoint: `${ik.cloud.baseUrl}/api/v1/files/upload` });
  photo = await png(120, 80, '#993366', true);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ signature: String(req.headers['x-ik-signature']), body: Buffer.concat(chunks).toString('utf8') });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  axios.interceptors.request.eject(interceptor);
  await new Promise((r) => receiver.close(r));
  await ik.close();
});

/**
 * v6's declared types lag its answers (no `versionInfo` on uploads, no `isPublished`, versions
 * typed as one object, bulk-job status as void): read those fields through this shape.
 */
type Versioned = { versionInfo: { id: string }; isPublished?: boolean; width?: number; type?: string };
const loose = <T>(value: unknown): T => value as T;

const upload = (fileName: string, extra: Partial<Parameters<ImageKit['upload']>[0]> = {}) => v6.upload({ file: photo, fileName, useUniqueFileName: false, ...extra });

describe('imagekit v6: files', () => {
  it('uploads with options and signs the webhook it verifies', async () => {
    await v6.createCustomMetadataField({ name: 'price', label: 'Price', schema: { type: 'Number', minValue: 0, maxValue: 100 } });
    const up = await upload('item.png', { folder: '/v6', tags: ['a', 'b'], customCoordinates: '0,0,10,10', customMetadata: { price: 9 }, responseFields: ['tags', 'customMetadata', 'customCoordinates'], webhookUrl: hookUrl, transformation: { pre: 'w-60' } });
    expect(up).toMatchObject({ name: 'item.png', filePath: '/v6/item.png', width: 60, tags: ['a', 'b'], customMetadata: { price: 9 }, customCoordinates: '0,0,10,10' });
    expect(up.$ResponseMetadata.statusCode).toBe(200);
    for (let i = 0; i < 100 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const { timestamp, event } = v6.verifyWebhookEvent(hooks[0]?.body ?? '', hooks[0]?.signature ?? '', WEBHOOK_SECRET);
    expect(timestamp).toBeGreaterThan(0);
    expect(event).toMatchObject({ type: 'file.created' });
    expect(() => v6.verifyWebhookEvent(`${hooks[0]?.body ?? ''} `, hooks[0]?.signature ?? '', WEBHOOK_SECRET)).toThrow('Incorrect signature');
  });

  it('keeps a Unicode name whole', async () => {
    const up = await upload('हिन्दी.png');
    expect(up.name).toBe('हिन्दी.png');
    expect((await get(up.url)).body.equals(photo)).toBe(true);
  });

  it('lists and searches (its `+`-encoded query, the quoted field form)', async () => {
    await upload('cheap.png', { folder: '/v6', customMetadata: { price: 1 } });
    const found = await v6.listFiles({ searchQuery: '"customMetadata.price" > 5' });
    expect(found.map((f) => ('name' in f ? f.name : ''))).toEqual(['item.png']);
    const listed = await v6.listFiles({ path: '/v6', sort: 'ASC_NAME', fileType: 'image', limit: 5, skip: 0 });
    expect(listed.map((f) => ('name' in f ? f.name : ''))).toEqual(['cheap.png', 'item.png']);
    expect(calls).toContain('GET /v1/files/');
  });

  it('reads, updates, publishes and deletes a file; errors carry its shape', async () => {
    const up = await upload('edit.png');
    expect(await v6.getFileDetails(up.fileId)).toMatchObject({ fileId: up.fileId, width: 120 });
    const updated = await v6.updateFileDetails(up.fileId, { tags: ['t'], customCoordinates: '1,1,2,2', customMetadata: { price: 50 } });
    expect(updated).toMatchObject({ tags: ['t'], customMetadata: { price: 50 } });
    await v6.updateFileDetails(up.fileId, { publish: { isPublished: false } });
    expect(loose<Versioned>(await v6.getFileDetails(up.fileId)).isPublished).toBe(false);
    await v6.deleteFile(up.fileId);
    const err = (await v6.getFileDetails(up.fileId).catch((e: unknown) => e)) as { message: string; help: string; $ResponseMetadata: { statusCode: number } };
    expect(err.$ResponseMetadata.statusCode).toBe(404);
    expect(err.help).toContain('support@imagekit.io');
  });

  it('lists, reads, restores and deletes versions', async () => {
    const first = await upload('ver.png');
    const firstVersion = loose<Versioned>(first).versionInfo.id;
    await v6.upload({ file: await png(20, 20, '#00ff00'), fileName: 'ver.png', useUniqueFileName: false });
    const versions = loose<Versioned[]>(await v6.getFileVersions(first.fileId));
    expect(versions).toHaveLength(2);
    expect(await v6.getFileVersionDetails({ fileId: first.fileId, versionId: firstVersion })).toMatchObject({ width: 120 });
    const restored = loose<Versioned>(await v6.restoreFileVersion({ fileId: first.fileId, versionId: firstVersion }));
    expect(restored.width).toBe(120);
    const after = loose<Versioned[]>(await v6.getFileVersions(first.fileId));
    const other = after.find((v) => v.versionInfo.id !== restored.versionInfo.id);
    await v6.deleteFileVersion({ fileId: first.fileId, versionId: other?.versionInfo.id ?? '' });
    expect(loose<Versioned[]>(await v6.getFileVersions(first.fileId))).toHaveLength(after.length - 1);
  });

  it('copies, moves, renames, and runs the bulk calls', async () => {
    const a = await upload('a.png', { folder: '/ops6' });
    const b = await upload('b.png', { folder: '/ops6' });
    await v6.copyFile({ sourceFilePath: '/ops6/a.png', destinationPath: '/ops6-copy/', includeFileVersions: false });
    await v6.moveFile({ sourceFilePath: '/ops6/b.png', destinationPath: '/ops6-moved/' });
    expect(await v6.renameFile({ filePath: '/ops6-copy/a.png', newFileName: 'c.png', purgeCache: false })).toEqual({});
    const paths = (await v6.listFiles({ searchQuery: 'name IN ["a.png", "b.png", "c.png"]' })).map((f) => ('filePath' in f ? f.filePath : '')).sort();
    expect(paths).toEqual(['/ops6-copy/c.png', '/ops6-moved/b.png', '/ops6/a.png']);
    await v6.bulkAddTags([a.fileId, b.fileId], ['x']);
    await v6.bulkRemoveTags([a.fileId], ['x']);
    await v6.bulkRemoveAITags([a.fileId], ['car']);
    expect((await v6.getFileDetails(b.fileId)).tags).toEqual(['x']);
    expect(await v6.bulkDeleteFiles([a.fileId, b.fileId])).toMatchObject({ successfullyDeletedFileIds: [a.fileId, b.fileId] });
  });

  it('answers metadata by id and by URL, and the pHash distance of two files', async () => {
    const up = await upload('meta.png');
    const other = await v6.upload({ file: await png(120, 80, '#000000'), fileName: 'dark.png', useUniqueFileName: false });
    const byId = await v6.getFileMetadata(up.fileId);
    const byUrl = await v6.getFileMetadata(up.url);
    expect(byId).toMatchObject({ width: 120, height: 80, format: 'png' });
    expect(byUrl.pHash).toBe(byId.pHash);
    const dark = await v6.getFileMetadata(other.fileId);
    expect(v6.pHashDistance(byId.pHash, byId.pHash)).toBe(0);
    expect(v6.pHashDistance(byId.pHash, dark.pHash)).toBeGreaterThan(0);
  });
});

describe('imagekit v6: fields, folders, cache, URLs', () => {
  it('manages custom metadata fields', async () => {
    const f = await v6.createCustomMetadataField({ name: 'size6', label: 'Size', schema: { type: 'Text', maxLength: 5 } });
    expect((await v6.getCustomMetadataFields({ includeDeleted: false })).map((x) => x.name)).toContain('size6');
    expect(await v6.updateCustomMetadataField(f.id, { label: 'Sz' })).toMatchObject({ label: 'Sz' });
    await v6.deleteCustomMetadataField(f.id);
    expect((await v6.getCustomMetadataFields({ includeDeleted: true })).map((x) => x.name)).toContain('size6');
  });

  it('creates, copies, moves and deletes folders with bulk job status', async () => {
    await v6.createFolder({ folderName: 'album6', parentFolderPath: '/' });
    await upload('p.png', { folder: '/album6' });
    const copy = await v6.copyFolder({ sourceFolderPath: '/album6', destinationPath: '/backup6', includeFileVersions: true });
    expect(await v6.getBulkJobStatus(copy.jobId)).toMatchObject({ jobId: copy.jobId, type: 'COPY_FOLDER', status: 'Completed' });
    const move = await v6.moveFolder({ sourceFolderPath: '/backup6/album6', destinationPath: '/archive6' });
    expect(loose<Versioned>(await v6.getBulkJobStatus(move.jobId)).type).toBe('MOVE_FOLDER');
    await v6.deleteFolder('/archive6');
    expect((await v6.listFiles({ searchQuery: 'name = "p.png"' })).map((x) => ('filePath' in x ? x.filePath : ''))).toEqual(['/album6/p.png']);
  });

  it('purges the cache', async () => {
    const up = await upload('purge6.png');
    const { requestId } = await v6.purgeCache(up.url);
    expect(await v6.getPurgeCacheStatus(requestId)).toMatchObject({ status: 'Completed' });
  });

  it('builds path and query URLs, signed and with di-, that the local cloud serves', async () => {
    await upload('url6.png');
    const signed = v6.url({ path: '/url6.png', transformation: [{ width: '40', defaultImage: '' }, { effectContrast: '1' }], signed: true, expireSeconds: 300 });
    expect(signed).toContain('di-');
    expect(signed).toContain('e-contrast-1');
    const r = await get(signed);
    expect(r.status).toBe(200);
    expect((await sharp(r.body).metadata()).width).toBe(40);
    const query = v6.url({ path: '/url6.png', transformation: [{ height: '20', aspectRatio: '4-3' }], transformationPosition: 'query' });
    expect((await sharp((await get(query)).body).metadata()).height).toBe(20);
  });

  it('signs client-side upload parameters', async () => {
    const auth = v6.getAuthenticationParameters();
    const form = new FormData();
    form.append('file', new Blob([photo]), 'cs.png');
    form.append('fileName', 'cs.png');
    form.append('publicKey', ACCOUNT.publicKey);
    for (const [k, v] of Object.entries(auth)) form.append(k, String(v));
    expect((await fetch(`${ik.cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', body: form })).status).toBe(200);
  });
});
