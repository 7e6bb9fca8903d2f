import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;
let small: Buffer;
let big: Buffer;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ik = await startIkCloud();
  small = await png(10, 10, '#ff0000');
  big = await png(100, 100, '#00ff00', true);
  const a = await upload(ik, { file: small, fileName: 'a.png', useUniqueFileName: 'false', tags: 'sale,red', folder: '/shop' });
  const b = await upload(ik, { file: big, fileName: 'b.png', useUniqueFileName: 'false', tags: 'new', folder: '/shop' });
  const doc = await upload(ik, { file: Buffer.from('hello text'), fileName: 'doc.txt', useUniqueFileName: 'false', folder: '/docs' });
  for (const r of [a, b, doc]) expect(r.status).toBe(200);
  ids.a = a.json.fileId;
  ids.b = b.json.fileId;
  ids.doc = doc.json.fileId;
});
afterAll(async () => {
  await ik.close();
});

const names = (list: { name: string }[]): string[] => list.map((f) => f.name).sort();
const search = async (q: string, extra = ''): Promise<string[]> => {
  const r = await api(ik, 'GET', `/v1/files?searchQuery=${encodeURIComponent(q)}${extra}`);
  expect(r.status).toBe(200);
  return names(r.json);
};

describe('ImageKit media API: list & search (§5.1)', () => {
  it('lists files, folders, by path and file type, with sort/limit/skip and trailing slashes', async () => {
    const all = await api(ik, 'GET', '/v1/files/');
    expect(names(all.json)).toEqual(['a.png', 'b.png', 'doc.txt']);
    expect(all.json[0]).toMatchObject({ type: 'file', fileType: 'image', mime: 'image/png', url: `${ik.endpoint}/shop/a.png` });
    expect(names((await api(ik, 'GET', '/v1/files?path=/shop/')).json)).toEqual(['a.png', 'b.png']);
    expect(names((await api(ik, 'GET', '/v1/files?fileType=non-image')).json)).toEqual(['doc.txt']);
    expect((await api(ik, 'GET', '/v1/files?type=folder')).json.map((f: { folderPath: string }) => f.folderPath).sort()).toEqual(['/docs', '/shop']);
    const sorted = await api(ik, 'GET', '/v1/files?sort=DESC_SIZE&limit=2&skip=0');
    expect(sorted.json.map((f: { name: string }) => f.name)).toEqual(['b.png', 'a.png']);
    expect((await api(ik, 'GET', '/v1/files?tags=sale,%20new&sort=ASC_NAME')).json.map((f: { name: string }) => f.name)).toEqual(['a.png', 'b.png']);
    expect((await api(ik, 'GET', '/v1/files?sort=SIDEWAYS')).status).toBe(400);
  });

  it('filters with searchQuery (name, size, createdAt, tags, AND/OR), decoding + and %20', async () => {
    expect(await search('name = "a.png"')).toEqual(['a.png']);
    expect(await search(`size > ${small.length}`)).toEqual(['b.png']);
    expect(await search('createdAt > "1d"')).toEqual(['a.png', 'b.png', 'doc.txt']);
    expect(await search('createdAt < "2000-01-01"')).toEqual([]);
    expect(await search('tags IN ["sale"] OR name = "doc.txt"')).toEqual(['a.png', 'doc.txt']);
    expect(await search('tags = "new" AND size < "1mb"')).toEqual(['b.png']);
    const plus = await api(ik, 'GET', '/v1/files?searchQuery=name+%3D+%22b.png%22');
    expect(names(plus.json)).toEqual(['b.png']);
    const bad = await api(ik, 'GET', `/v1/files?searchQuery=${encodeURIComponent('createdAt > 5')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^Invalid search query - createdAt field must have a valid date value/);
  });
});

describe('ImageKit media API: details, update, versions (§5)', () => {
  it('returns details (404 for unknown ids) and applies updates incl. publish', async () => {
    const d = await api(ik, 'GET', `/v1/files/${ids.a}/details/`);
    expect(d.json).toMatchObject({ fileId: ids.a, name: 'a.png', filePath: '/shop/a.png', tags: ['sale', 'red'], thumbnail: `${ik.endpoint}/tr:n-ik_ml_thumbnail/shop/a.png` });
    const missing = await api(ik, 'GET', '/v1/files/000000000000000000000000/details');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('The requested file does not exist.');
    expect((await api(ik, 'POST', '/v1/customMetadataFields', { name: 'brand', label: 'Brand', schema: { type: 'Text', maxLength: 10 } })).status).toBe(201);
    const upd = await api(ik, 'PATCH', `/v1/files/${ids.a}/details`, { tags: ['x'], customCoordinates: '0,0,5,5', customMetadata: { brand: 'Nike' } });
    expect(upd.status).toBe(200);
    expect(upd.json).toMatchObject({ tags: ['x'], customCoordinates: '0,0,5,5', customMetadata: { brand: 'Nike' } });
    const tooLong = await api(ik, 'PATCH', `/v1/files/${ids.a}/details`, { customMetadata: { brand: 'a very long brand name' } });
    expect(tooLong.status).toBe(400);
    const unset = await api(ik, 'PATCH', `/v1/files/${ids.a}/details`, { customMetadata: { brand: null }, tags: null });
    expect(unset.json).toMatchObject({ customMetadata: {}, tags: null });
    const unpublish = await api(ik, 'PATCH', `/v1/files/${ids.a}/details`, { publish: { isPublished: false, includeFileVersions: true } });
    expect(unpublish.json.isPublished).toBe(false);
    expect((await get(`${ik.endpoint}/shop/a.png`)).status).toBe(404);
    await api(ik, 'PATCH', `/v1/files/${ids.a}/details`, { publish: { isPublished: true } });
    expect((await get(`${ik.endpoint}/shop/a.png`)).status).toBe(200);
  });

  it('lists versions, refuses deleting the current one, restores and deletes old ones', async () => {
    const v2 = await upload(ik, { file: big, fileName: 'a.png', useUniqueFileName: 'false', folder: '/shop' });
    expect(v2.json.versionInfo.name).toBe('Version 2');
    const list = await api(ik, 'GET', `/v1/files/${ids.a}/versions`);
    expect(list.json).toHaveLength(2);
    const [old, cur] = list.json as { versionInfo: { id: string }; type: string; width: number }[];
    expect(old?.type).toBe('file-version');
    expect(cur?.type).toBe('file');
    expect((await api(ik, 'GET', `/v1/files/${ids.a}/versions/${old?.versionInfo.id}`)).json.width).toBe(10);
    const delCurrent = await api(ik, 'DELETE', `/v1/files/${ids.a}/versions/${cur?.versionInfo.id}`);
    expect(delCurrent.status).toBe(400);
    const restored = await api(ik, 'PUT', `/v1/files/${ids.a}/versions/${old?.versionInfo.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.json).toMatchObject({ width: 10, versionInfo: { id: old?.versionInfo.id } });
    expect((await get(`${ik.endpoint}/shop/a.png`)).body.equals(small)).toBe(true);
    expect((await api(ik, 'DELETE', `/v1/files/${ids.a}/versions/${cur?.versionInfo.id}`)).status).toBe(204);
    expect((await api(ik, 'GET', `/v1/files/${ids.a}/versions`)).json).toHaveLength(1);
    expect((await api(ik, 'GET', `/v1/files/${ids.a}/versions/${cur?.versionInfo.id}`)).status).toBe(404);
  });

  it('adds and removes tags in bulk, 404 with missingFileIds for unknown ids', async () => {
    const add = await api(ik, 'POST', '/v1/files/addTags', { fileIds: [ids.a, ids.b], tags: ['bulk', 'two'] });
    expect(add.json).toEqual({ successfullyUpdatedFileIds: [ids.a, ids.b] });
    const rm = await api(ik, 'POST', '/v1/files/removeTags', { fileIds: [ids.b], tags: ['two'] });
    expect(rm.status).toBe(200);
    expect((await api(ik, 'GET', `/v1/files/${ids.b}/details`)).json.tags).toEqual(['new', 'bulk']);
    expect((await api(ik, 'POST', '/v1/files/removeAITags', { fileIds: [ids.b], AITags: ['car'] })).status).toBe(200);
    const missing = await api(ik, 'POST', '/v1/files/addTags', { fileIds: [ids.a, 'ffffffffffffffffffffffff'], tags: ['x'] });
    expect(missing.status).toBe(404);
    expect(missing.json.missingFileIds).toEqual(['ffffffffffffffffffffffff']);
    const invalid = await api(ik, 'POST', '/v1/files/addTags', { fileIds: [], tags: ['x'] });
    expect(invalid.status).toBe(400);
    expect(invalid.json.message).toBe('Invalid value for fileIds');
  });
});

describe('ImageKit media API: copy/move/rename, folders, purge, delete', () => {
  it('copies, moves and renames files; a taken name is 409 that v7 must not retry', async () => {
    expect((await api(ik, 'POST', '/v1/files/copy', { sourceFilePath: '/shop/b.png', destinationPath: '/copies/', includeFileVersions: true })).status).toBe(204);
    expect((await get(`${ik.endpoint}/copies/b.png`)).body.equals(big)).toBe(true);
    const missing = await api(ik, 'POST', '/v1/files/copy', { sourceFilePath: '/nope.png', destinationPath: '/copies/' });
    expect(missing.status).toBe(404);
    expect(missing.json.reason).toBe('SOURCE_FILE_MISSING');
    expect((await api(ik, 'POST', '/v1/files/move', { sourceFilePath: '/copies/b.png', destinationPath: '/moved' })).status).toBe(204);
    expect((await get(`${ik.endpoint}/copies/b.png`)).status).toBe(404);
    expect((await get(`${ik.endpoint}/moved/b.png`)).status).toBe(200);

    const conflict = await api(ik, 'PUT', '/v1/files/rename', { filePath: '/shop/a.png', newFileName: 'b.png' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.reason).toBe('FILE_ALREADY_EXISTS');
    expect(conflict.headers.get('x-should-retry')).toBe('false');
    const renamed = await api(ik, 'PUT', '/v1/files/rename', { filePath: '/shop/a.png', newFileName: 'a2.png', purgeCache: true });
    expect(renamed.status).toBe(200);
    expect(renamed.json.purgeRequestId).toMatch(/^[0-9a-f]{24}$/);
    expect((await api(ik, 'GET', `/v1/files/purge/${renamed.json.purgeRequestId}`)).json).toEqual({ status: 'Completed' });
    expect((await get(`${ik.endpoint}/shop/a2.png`)).status).toBe(200);
  });

  it('creates, copies, moves, renames and deletes folders through bulk jobs', async () => {
    expect((await api(ik, 'POST', '/v1/folder', { folderName: 'sub', parentFolderPath: '/f1' })).status).toBe(201);
    expect((await api(ik, 'POST', '/v1/folder', { folderName: 'a/b', parentFolderPath: '/' })).json.message).toBe('folderName parameter cannot have a slash.');
    await upload(ik, { file: small, fileName: 'in.png', useUniqueFileName: 'false', folder: '/f1/sub' });
    const copy = await api(ik, 'POST', '/v1/bulkJobs/copyFolder', { sourceFolderPath: '/f1', destinationPath: '/f2', includeVersions: true });
    expect(copy.status).toBe(200);
    const status = await api(ik, 'GET', `/v1/bulkJobs/${copy.json.jobId}`);
    expect(status.json).toEqual({ jobId: copy.json.jobId, type: 'COPY_FOLDER', status: 'Completed' });
    expect((await get(`${ik.endpoint}/f2/f1/sub/in.png`)).status).toBe(200);
    const move = await api(ik, 'POST', '/v1/bulkJobs/moveFolder', { sourceFolderPath: '/f2/f1', destinationPath: '/f3' });
    expect((await api(ik, 'GET', `/v1/bulkJobs/${move.json.jobId}`)).json.type).toBe('MOVE_FOLDER');
    expect((await get(`${ik.endpoint}/f3/f1/sub/in.png`)).status).toBe(200);
    expect((await get(`${ik.endpoint}/f2/f1/sub/in.png`)).status).toBe(404);
    const rename = await api(ik, 'POST', '/v1/bulkJobs/renameFolder', { folderPath: '/f3/f1', newFolderName: 'g1', purgeCache: true });
    expect((await api(ik, 'GET', `/v1/bulkJobs/${rename.json.jobId}`)).json).toMatchObject({ type: 'RENAME_FOLDER', status: 'Completed', purgeRequestId: expect.any(String) });
    expect((await get(`${ik.endpoint}/f3/g1/sub/in.png`)).status).toBe(200);
    const noSource = await api(ik, 'POST', '/v1/bulkJobs/copyFolder', { sourceFolderPath: '/ghost', destinationPath: '/f2' });
    expect(noSource.status).toBe(404);
    expect(noSource.json.reason).toBe('NO_FILES_FOLDER');
    expect((await api(ik, 'DELETE', '/v1/folder', { folderPath: '/f3' })).status).toBe(204);
    expect((await get(`${ik.endpoint}/f3/g1/sub/in.png`)).status).toBe(404);
    const gone = await api(ik, 'DELETE', '/v1/folder', { folderPath: '/f3' });
    expect(gone.status).toBe(404);
    expect(gone.json.reason).toBe('FOLDER_NOT_FOUND');
  });

  it('purges URLs of the account only', async () => {
    const ok = await api(ik, 'POST', '/v1/files/purge', { url: `${ik.endpoint}/shop/b.png` });
    expect(ok.status).toBe(201);
    expect((await api(ik, 'GET', `/v1/files/purge/${ok.json.requestId}`)).json.status).toBe('Completed');
    expect((await api(ik, 'POST', '/v1/files/purge', { url: 'https://elsewhere.example/x.png' })).json.message).toBe('Invalid url');
    expect((await api(ik, 'GET', '/v1/files/purge/unknown')).status).toBe(400);
  });

  it('deletes files (204) and bulk-deletes all-or-nothing', async () => {
    expect((await api(ik, 'DELETE', `/v1/files/${ids.doc}`)).status).toBe(204);
    expect((await get(`${ik.endpoint}/docs/doc.txt`)).status).toBe(404);
    expect((await api(ik, 'DELETE', `/v1/files/${ids.doc}`)).status).toBe(404);
    const partial = await api(ik, 'POST', '/v1/files/batch/deleteByFileIds', { fileIds: [ids.b, ids.doc] });
    expect(partial.status).toBe(404);
    expect(partial.json.missingFileIds).toEqual([ids.doc]);
    expect((await api(ik, 'GET', `/v1/files/${ids.b}/details`)).status).toBe(200);
    const bulk = await api(ik, 'POST', '/v1/files/batch/deleteByFileIds', { fileIds: [ids.b] });
    expect(bulk.json).toEqual({ successfullyDeletedFileIds: [ids.b] });
    expect((await api(ik, 'GET', `/v1/files/${ids.b}/details`)).status).toBe(404);
  });

  it('answers 401/403 on the media API and ImageKit 404s for unknown /v1 routes', async () => {
    expect((await api(ik, 'GET', '/v1/files', undefined, null)).status).toBe(401);
    const wrong = await api(ik, 'GET', '/v1/files', undefined, `Basic ${Buffer.from('bad_key:').toString('base64')}`);
    expect(wrong.status).toBe(403);
    expect(wrong.json).toEqual({ message: 'Your account cannot be authenticated.', help: 'For support kindly contact us at support@imagekit.io .' });
    const unknown = await api(ik, 'GET', '/v1/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.json.help).toBeDefined();
  });
});
