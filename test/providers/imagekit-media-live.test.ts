/**
 * Every media-management operation of the ImageKit client (spec §5, §6) against the local
 * cloud's ImageKit front end over real loopback HTTP, including the typed failures.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { httpRequest } from '../../src-main/net/http.js';
import { createImageKitClient, type ImageKitClient, type UploadResponse } from '../../src-main/providers/imagekit/client.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { errorOf } from '../support/errors.js';

const ACCOUNT = { imagekitId: 'mediatest', privateKey: 'private_media_key_0001', publicKey: 'public_media_key_0001' };

let dir = '';
let cloud: LocalCloud;
let ik: ImageKitClient;

const text = (s: string, fileName: string, folder: string, extra: Record<string, unknown> = {}): Promise<UploadResponse> =>
  ik.upload({ file: { base64: Buffer.from(s).toString('base64') }, fileName, folder, useUniqueFileName: false, ...extra });

async function waitJob(jobId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await ik.getBulkJobStatus(jobId)).status === 'Completed') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`bulk job ${jobId} never completed`);
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-ik-media-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), imagekit: { accounts: [ACCOUNT] } });
  ik = createImageKitClient({ privateKey: ACCOUNT.privateKey, urlEndpoint: `${cloud.baseUrl}/ik/${ACCOUNT.imagekitId}`, uploadBase: cloud.baseUrl, apiBase: cloud.baseUrl });
});
afterAll(async () => {
  await cloud?.close();
  await removeTempDir(dir);
});

describe('ImageKit media API against the local cloud', () => {
  it('lists and searches with AND/OR, details, update, publication status, delete', async () => {
    const a = await text('aaaa', 'apple.txt', '/search', { tags: ['fruit', 'red'] });
    const b = await text('bbbbbbbb', 'banana.txt', '/search', { tags: ['fruit'] });
    await text('c', 'carrot.txt', '/search', { tags: ['veg'] });
    const names = (q: string) => ik.listFiles({ searchQuery: q, sort: 'ASC_NAME' }).then((l) => l.map((f) => f.name));
    expect(await names('tags IN ["fruit"] AND size > 5')).toEqual(['banana.txt']);
    expect(await names('name = "apple.txt" OR name = "carrot.txt"')).toEqual(['apple.txt', 'carrot.txt']);
    expect(await names('(name : "ban" OR tags IN ["veg"]) AND path : "/search"')).toEqual(['banana.txt', 'carrot.txt']);
    const inFolder = await ik.listFiles({ path: '/search/', sort: 'DESC_NAME', limit: 2 });
    expect(inFolder.map((f) => f.name)).toEqual(['carrot.txt', 'banana.txt']);

    const details = await ik.getFileDetails(a.fileId);
    expect(details).toMatchObject({ type: 'file', fileId: a.fileId, name: 'apple.txt', tags: ['fruit', 'red'] });
    const updated = await ik.updateFileDetails(a.fileId, { tags: ['green'], customCoordinates: '1,2,3,4', description: 'an apple' });
    expect(updated).toMatchObject({ tags: ['green'], customCoordinates: '1,2,3,4' });
    const unpublished = await ik.changePublicationStatus(a.fileId, { isPublished: false });
    expect(unpublished.isPublished).toBe(false);
    expect((await ik.changePublicationStatus(a.fileId, { isPublished: true })).isPublished).toBe(true);

    await ik.deleteFile(b.fileId);
    expect((await errorOf(ik.getFileDetails(b.fileId))).code).toBe('not_found');
  });

  it('versions: list, details, restore, delete a non-current version', async () => {
    const v1 = await text('version one', 'doc.txt', '/versions');
    const v2 = await text('version two!', 'doc.txt', '/versions', { overwriteFile: true });
    expect(v2.fileId).toBe(v1.fileId);
    const versions = await ik.getFileVersions(v1.fileId);
    expect(versions).toHaveLength(2);
    const old = versions.find((v) => v.versionInfo?.id === v1.versionInfo?.id);
    expect(old?.size).toBe(11);
    expect((await ik.getFileVersionDetails(v1.fileId, v1.versionInfo!.id)).size).toBe(11);
    const restored = await ik.restoreFileVersion(v1.fileId, v1.versionInfo!.id);
    expect(restored.size).toBe(11);
    const now = await httpRequest({ method: 'GET', url: restored.url });
    expect(now.body.toString()).toBe('version one');
    const nonCurrent = (await ik.getFileVersions(v1.fileId)).find((v) => v.versionInfo?.id !== restored.versionInfo?.id);
    await ik.deleteFileVersion(v1.fileId, nonCurrent!.versionInfo!.id);
    expect((await errorOf(ik.getFileVersionDetails(v1.fileId, nonCurrent!.versionInfo!.id))).code).toBe('not_found');
  });

  it('tags and AI tags in bulk; bulk delete with missing ids is typed', async () => {
    const x = await text('x', 'x.txt', '/bulk');
    const y = await text('y', 'y.txt', '/bulk');
    expect((await ik.addTags([x.fileId, y.fileId], ['t1', 't2'])).successfullyUpdatedFileIds.sort()).toEqual([x.fileId, y.fileId].sort());
    await ik.removeTags([x.fileId], ['t1']);
    expect((await ik.getFileDetails(x.fileId)).tags).toEqual(['t2']);
    expect((await ik.removeAITags([x.fileId], ['none'])).successfullyUpdatedFileIds).toEqual([x.fileId]);
    expect((await ik.updateFileDetails(x.fileId, { removeAITags: ['none'] })).fileId).toBe(x.fileId);

    const missing = await errorOf(ik.addTags(['nope_1'], ['t']));
    expect(missing.code).toBe('not_found');
    expect(missing.details?.missingFileIds).toBe('nope_1');
    const partial = await errorOf(ik.bulkDeleteFiles([x.fileId, 'nope_2']));
    expect(['partial_success', 'not_found']).toContain(partial.code);
    expect(partial.details?.missingFileIds).toBe('nope_2');
    const all = await ik.bulkDeleteFiles([y.fileId]);
    expect(all.successfullyDeletedFileIds).toEqual([y.fileId]);
    expect((await errorOf(ik.getFileDetails('unknown_file_id'))).code).toBe('not_found');
  });

  it('copy, move and rename files; a rename onto a taken name is a conflict', async () => {
    await text('orig', 'o.txt', '/ops/src');
    await text('other', 'taken.txt', '/ops/src');
    await ik.copyFile({ sourceFilePath: '/ops/src/o.txt', destinationPath: '/ops/copy/' });
    await ik.moveFile({ sourceFilePath: '/ops/copy/o.txt', destinationPath: '/ops/moved/' });
    expect((await ik.listFiles({ path: '/ops/moved/' })).map((f) => f.name)).toEqual(['o.txt']);
    expect(await ik.listFiles({ path: '/ops/copy/' })).toEqual([]);
    const conflict = await errorOf(ik.renameFile({ filePath: '/ops/src/o.txt', newFileName: 'taken.txt' }));
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.reason).toBe('FILE_ALREADY_EXISTS');
    expect(await ik.renameFile({ filePath: '/ops/src/o.txt', newFileName: 'renamed.txt' })).toEqual({});
    const purged = await ik.renameFile({ filePath: '/ops/src/renamed.txt', newFileName: 'again.txt', purgeCache: true });
    expect(purged.purgeRequestId).toBeTruthy();
    expect((await errorOf(ik.copyFile({ sourceFilePath: '/ops/none.txt', destinationPath: '/x/' }))).code).toBe('not_found');
  });

  it('folders: create, copy, move, rename via bulk jobs, delete', async () => {
    await ik.createFolder({ folderName: 'f1', parentFolderPath: '/folders' });
    await text('in folder', 'n.txt', '/folders/f1');
    await waitJob((await ik.copyFolder({ sourceFolderPath: '/folders/f1', destinationPath: '/folders/copies', includeVersions: true })).jobId);
    expect((await ik.listFiles({ path: '/folders/copies/f1/' })).map((f) => f.name)).toEqual(['n.txt']);
    await waitJob((await ik.moveFolder({ sourceFolderPath: '/folders/copies/f1', destinationPath: '/folders/moved' })).jobId);
    expect((await ik.listFiles({ path: '/folders/moved/f1/' })).map((f) => f.name)).toEqual(['n.txt']);
    const rename = await ik.renameFolder({ folderPath: '/folders/moved/f1', newFolderName: 'f2' });
    await waitJob(rename.jobId);
    expect((await ik.getBulkJobStatus(rename.jobId)).type).toBe('RENAME_FOLDER');
    expect((await ik.listFiles({ path: '/folders/moved/f2/' })).map((f) => f.name)).toEqual(['n.txt']);
    const folders = await ik.listFiles({ path: '/folders/', type: 'folder' });
    expect(folders.map((f) => f.name).sort()).toEqual(['copies', 'f1', 'moved']);
    await ik.deleteFolder('/folders/moved/');
    expect(await ik.listFiles({ path: '/folders/moved/f2/' })).toEqual([]);
    expect((await errorOf(ik.deleteFolder('/folders/none/'))).code).toBe('not_found');
  });

  it('purge cache and its status; metadata by id and by URL with pHash', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const img = await ik.upload({ file: { base64: png.toString('base64') }, fileName: 'meta.png', folder: '/meta', useUniqueFileName: false });
    const { requestId } = await ik.purgeCache(img.url);
    expect(['Pending', 'Completed']).toContain((await ik.getPurgeCacheStatus(requestId)).status);
    const byId = await ik.getFileMetadata(img.fileId);
    expect(byId).toMatchObject({ width: 64, height: 48, format: 'png' });
    expect(byId.pHash).toMatch(/^[0-9a-f]{16}$/);
    const byUrl = await ik.getRemoteFileMetadata(ik.url({ path: img.filePath, queryParameters: { a: 'x y', b: '1&2' } }));
    expect(byUrl.pHash).toBe(byId.pHash);
    expect(ik.pHashDistance(byId.pHash, byUrl.pHash)).toEqual({ ok: true, distance: 0 });
    expect((await errorOf(ik.getRemoteFileMetadata('https://elsewhere.example/a.png'))).code).toBe('bad_request');
  });

  it('custom metadata fields: create, list, update, delete, schema violations', async () => {
    const field = await ik.createCustomMetadataField({ name: 'price', label: 'Price', schema: { type: 'Number', minValue: 0, maxValue: 100 } });
    expect(field).toMatchObject({ name: 'price', label: 'Price', schema: { type: 'Number' } });
    expect((await ik.listCustomMetadataFields()).map((f) => f.name)).toContain('price');
    const bad = await errorOf(ik.createCustomMetadataField({ name: 'p2', label: 'P2', schema: { type: 'Number', defaultValue: 'ten' as never } }));
    expect(bad.code).toBe('bad_request');
    expect(bad.message).toMatch(/defaultValue/);
    const dup = await errorOf(ik.createCustomMetadataField({ name: 'price', label: 'Again', schema: { type: 'Text' } }));
    expect(dup.code).toBe('bad_request');
    expect((await ik.updateCustomMetadataField(field.id, { label: 'Price (EUR)', schema: { maxValue: 200 } })).label).toBe('Price (EUR)');
    const doc = await text('m', 'priced.txt', '/cm', { customMetadata: { price: 150 }, responseFields: ['customMetadata'] });
    expect(doc.customMetadata).toEqual({ price: 150 });
    // The documented search form quotes the field name.
    expect((await ik.listFiles({ searchQuery: '"customMetadata.price" > 100' })).map((f) => f.name)).toEqual(['priced.txt']);
    expect((await ik.listFiles({ searchQuery: '"customMetadata.price" > 150' })).map((f) => f.name)).toEqual([]);
    expect((await errorOf(ik.updateFileDetails(doc.fileId, { customMetadata: { price: 500 } }))).code).toBe('bad_request');
    await ik.deleteCustomMetadataField(field.id);
    expect((await ik.listCustomMetadataFields()).map((f) => f.name)).not.toContain('price');
    expect((await errorOf(ik.deleteCustomMetadataField(field.id))).code).toBe('not_found');
  });
});
