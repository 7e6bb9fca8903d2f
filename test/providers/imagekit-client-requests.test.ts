/**
 * Request building of the ImageKit client, checked on the wire: a real loopback HTTP server
 * records each request (headers, raw body, multipart fields parsed with busboy) and answers with
 * canned JSON. No ImageKit server logic is involved, so these run without the local cloud.
 */
import busboy from 'busboy';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createImageKitClient, type ImageKitClient } from '../../src-main/providers/imagekit/client.js';
import { verifySignedUrl } from '../../src-main/protocol/imagekit/signing.js';
import { basicAuthHeader } from '../../src-main/providers/imagekit/transport.js';
import { buildMultipart } from '../../src-main/providers/imagekit/multipart.js';
import { httpRequest } from '../../src-main/net/http.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { writeRandomFile } from '../support/files.js';
import { errorOf } from '../support/errors.js';

type Recorded = {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  fields: Record<string, string>;
  files: Record<string, { filename: string; mimeType: string; data: Buffer }>;
};
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const UPLOAD_ANSWER = { fileId: 'f1', name: 'a.bin', url: 'http://x/ik/a.bin', size: 3, filePath: '/a.bin', fileType: 'non-image', thumbnailUrl: '', AITags: null };

let server: http.Server;
let base = '';
const seen: Recorded[] = [];
let reply: (r: Recorded) => Reply = () => ({ status: 200, body: {} });
let dir = '';

function parseForm(req: http.IncomingMessage, raw: Buffer): Promise<Pick<Recorded, 'fields' | 'files'>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: Recorded['files'] = {};
    const bb = busboy({ headers: req.headers, defParamCharset: 'utf8' });
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (files[name] = { filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    bb.on('close', () => resolve({ fields, files }));
    bb.on('error', reject);
    bb.end(raw);
  });
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-ik-req-');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const isForm = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
        const form = isForm ? await parseForm(req, body) : { fields: {}, files: {} };
        const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, ...form };
        seen.push(rec);
        const r = reply(rec);
        res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
        res.end(r.body === undefined ? '' : JSON.stringify(r.body));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await removeTempDir(dir);
});
beforeEach(() => {
  seen.length = 0;
  reply = () => ({ status: 200, body: {} });
});

const client = (key = 'test_private_key'): ImageKitClient =>
  createImageKitClient({ privateKey: key, publicKey: 'pub', urlEndpoint: `${base}/ik/demo`, uploadBase: base, apiBase: base });

describe('ImageKit client request building', () => {
  it('sends Basic base64(privateKey + ":") on API calls', async () => {
    expect(basicAuthHeader('test_private_key')).toBe('Basic dGVzdF9wcml2YXRlX2tleTo=');
    reply = () => ({ status: 200, body: [] });
    await client().listFiles();
    expect(seen[0]?.headers.authorization).toBe('Basic dGVzdF9wcml2YXRlX2tleTo=');
    expect(seen[0]?.url).toBe('/v1/files');
  });

  it('streams a binary upload with every option encoded as form fields', async () => {
    const file = path.join(dir, 'photo.bin');
    const bytes = await writeRandomFile(file, 300_000);
    reply = () => ({ status: 200, body: { ...UPLOAD_ANSWER, size: bytes.length } });
    const progress: number[] = [];
    const res = await client().upload({
      file: { path: file, contentType: 'image/png' },
      fileName: 'photo "1".png',
      useUniqueFileName: false,
      tags: ['t1', 't2'],
      folder: '/a/b/',
      isPrivateFile: true,
      isPublished: false,
      customCoordinates: '1,2,30,40',
      responseFields: ['tags', 'customMetadata'],
      extensions: [{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 }],
      webhookUrl: 'https://example.com/hook',
      overwriteFile: true,
      overwriteAITags: false,
      overwriteTags: true,
      overwriteCustomMetadata: false,
      customMetadata: { brand: 'Nike', n: 3 },
      transformation: { pre: 'w-100', post: [{ type: 'thumbnail', value: 'h-50' }, { type: 'abs', protocol: 'hls', value: 'sr-240_360' }] },
      checks: "'request.folder' : '/'",
      description: 'désc',
      onProgress: (sent, total) => {
        expect(total).toBe(bytes.length);
        progress.push(sent);
      },
    });
    expect(res.fileId).toBe('f1');
    const r = seen[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/api/v1/files/upload');
    expect(r.headers.authorization).toBe(basicAuthHeader('test_private_key'));
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(r.fields).toMatchObject({
      fileName: 'photo "1".png',
      useUniqueFileName: 'false',
      tags: 't1,t2',
      folder: '/a/b/',
      isPrivateFile: 'true',
      isPublished: 'false',
      customCoordinates: '1,2,30,40',
      responseFields: 'tags,customMetadata',
      webhookUrl: 'https://example.com/hook',
      overwriteFile: 'true',
      overwriteAITags: 'false',
      overwriteTags: 'true',
      overwriteCustomMetadata: 'false',
      checks: "'request.folder' : '/'",
      description: 'désc',
    });
    expect(JSON.parse(r.fields.extensions!)).toEqual([{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 }]);
    expect(JSON.parse(r.fields.customMetadata!)).toEqual({ brand: 'Nike', n: 3 });
    expect(JSON.parse(r.fields.transformation!)).toEqual({ pre: 'w-100', post: [{ type: 'thumbnail', value: 'h-50' }, { type: 'abs', protocol: 'hls', value: 'sr-240_360' }] });
    const part = r.files.file!;
    expect(part.filename).toBe('photo %221%22.png');
    expect(part.mimeType).toBe('image/png');
    expect(part.data.equals(bytes)).toBe(true);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('sends base64 and URL files as text fields and omits unset options', async () => {
    reply = () => ({ status: 200, body: UPLOAD_ANSWER });
    await client().upload({ file: { base64: Buffer.from('abc').toString('base64') }, fileName: 'a.txt' });
    await client().upload({ file: { url: 'https://example.com/a b.jpg?x=1&y=2' }, fileName: 'b.jpg', tags: ['x'] });
    expect(seen[0]?.fields).toEqual({ fileName: 'a.txt', file: 'YWJj' });
    expect(seen[0]?.files).toEqual({});
    expect(seen[1]?.fields).toEqual({ fileName: 'b.jpg', tags: 'x', file: 'https://example.com/a b.jpg?x=1&y=2' });
  });

  it('client-side auth sends publicKey/token/expire/signature and no Authorization', async () => {
    reply = () => ({ status: 200, body: UPLOAD_ANSWER });
    const c = client('private_key_test');
    const auth = c.getAuthenticationParameters('your_token', 1582269249);
    expect(auth.signature).toBe('e71bcd6031016b060d349d212e23e85c791decdd');
    await c.upload({ file: { base64: 'YWJj' }, fileName: 'a.txt', clientSideAuth: { ...auth, publicKey: 'pub' } });
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.fields).toMatchObject({ publicKey: 'pub', token: 'your_token', expire: '1582269249', signature: auth.signature });
  });

  it('refuses invalid uploads before any request (§2.5)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ file: { base64: 'YWJj' } }, 'Missing fileName parameter for upload'],
      [{ file: { base64: 'YWJj' }, fileName: '' }, 'Missing fileName parameter for upload'],
      [{ fileName: 'a' }, 'Missing file parameter for upload'],
      [{ file: { url: 'ftp://x' }, fileName: 'a' }, 'Missing file parameter for upload'],
      [{ file: { base64: 'YWJj' }, fileName: 'a', transformation: {} }, 'Invalid transformation parameter. Please include at least pre, post, or both.'],
      [{ file: { base64: 'YWJj' }, fileName: 'a', transformation: { pre: '' } }, 'Invalid pre transformation parameter.'],
      [{ file: { base64: 'YWJj' }, fileName: 'a', transformation: { post: 'x' } }, 'Invalid post transformation parameter.'],
      [{ file: { base64: 'YWJj' }, fileName: 'a', transformation: { post: [{ type: 'transformation' }] } }, 'Invalid post transformation parameter.'],
      [{ file: { base64: 'YWJj' }, fileName: 'a', transformation: { post: [{ type: 'abs', value: 'sr-240' }] } }, 'Invalid post transformation parameter.'],
    ];
    for (const [req, message] of cases) {
      const err = await errorOf(client().upload(req as never));
      expect(err.code).toBe('bad_request');
      expect(err.message).toBe(message);
    }
    expect(seen).toHaveLength(0);
  });

  it('encodes list queries, the remote-metadata URL and the delete-folder body', async () => {
    reply = (r) => ({ status: r.url.startsWith('/v1/metadata') ? 200 : r.method === 'DELETE' ? 204 : 200, body: r.url.startsWith('/v1/metadata') ? { pHash: 'ab' } : [] });
    await client().listFiles({ searchQuery: 'name = "a b" AND size > 10', tags: ['x', 'y'], limit: 5, skip: 0, type: 'all' });
    const q = new URL(`${base}${seen[0]!.url}`).searchParams;
    expect(q.get('searchQuery')).toBe('name = "a b" AND size > 10');
    expect(q.get('tags')).toBe('x,y');
    expect(seen[0]!.url).toContain('%20AND%20');
    const remote = 'https://ik.imagekit.io/demo/a b.jpg?x=1&y=2';
    await client().getRemoteFileMetadata(remote);
    const mq = new URL(`${base}${seen[1]!.url}`).searchParams;
    expect([...mq.keys()]).toEqual(['url']);
    expect(mq.get('url')).toBe(remote);
    await client().deleteFolder('/old/');
    expect(seen[2]?.method).toBe('DELETE');
    expect(JSON.parse(seen[2]!.body.toString())).toEqual({ folderPath: '/old/' });
  });

  it('refuses empty ids and bad schemas without a request', async () => {
    const c = client();
    const calls: Promise<unknown>[] = [
      c.bulkDeleteFiles([]),
      c.addTags(['a'], []),
      c.removeAITags([], ['x']),
      c.getFileDetails(''),
      c.listFiles({ limit: 0 }),
      c.createFolder({ folderName: 'a/b' }),
      c.createCustomMetadataField({ name: 'n', label: 'L', schema: { type: 'Number', minValue: 10, maxValue: 1 } }),
      c.createCustomMetadataField({ name: 'n', label: 'L', schema: { type: 'SingleSelect' } }),
      c.createCustomMetadataField({ name: 'n', label: 'L', schema: { type: 'Text', isValueRequired: true } }),
      c.createCustomMetadataField({ name: 'n', label: 'L', schema: { type: 'Bogus' } as never }),
      c.updateCustomMetadataField('id1', { schema: { type: 'Text' } as never }),
      c.updateCustomMetadataField('id1', {}),
    ];
    for (const p of calls) expect((await errorOf(p)).code).toBe('bad_request');
    expect((await errorOf(c.bulkDeleteFiles([]))).details?.help).toMatch(/atleast one fileId/);
    expect(seen).toHaveLength(0);
  });

  it('maps 207 to partial_success and 401/403 to unauthorized/forbidden with help', async () => {
    reply = () => ({ status: 207, body: { message: 'Some files not found', help: 'h', missingFileIds: ['m1', 'm2'], successfullyDeletedFileIds: ['ok1'] } });
    const partial = await errorOf(client().bulkDeleteFiles(['ok1', 'm1', 'm2']));
    expect(partial).toMatchObject({ code: 'partial_success', details: { missingFileIds: 'm1,m2', successfullyDeletedFileIds: 'ok1', status: 207 } });
    reply = () => ({ status: 403, body: { message: 'Your account cannot be authenticated.', help: 'For support kindly contact us at support@imagekit.io .' } });
    const forbidden = await errorOf(client('wrong').getFileDetails('x'));
    expect(forbidden).toMatchObject({ code: 'forbidden', retryable: false, message: 'Your account cannot be authenticated.' });
    expect(forbidden.details?.help).toBe('For support kindly contact us at support@imagekit.io .');
    reply = () => ({ status: 503, body: 'busy' });
    expect(await errorOf(client().getFileDetails('x'))).toMatchObject({ code: 'server_error', retryable: true });
  });

  it('signs URLs the way the server verifies them, with expiry', () => {
    const c = client('my_private');
    const now = 1_700_000_000;
    const signed = c.url({ path: '/a b.jpg', transformation: [{ width: 100 }], expiresIn: 60, now });
    expect(signed).toMatch(/\?tr=w-100&ik-t=1700000060&ik-s=[0-9a-f]{40}$/);
    const target = signed.slice(base.length);
    expect(verifySignedUrl({ rawRequestTarget: target, endpointPath: '/ik/demo', privateKey: 'my_private', now })).toEqual({ ok: true });
    expect(c.url({ path: '/a.jpg' })).toBe(`${base}/ik/demo/a.jpg`);
    expect(c.pHashDistance('33699c96619cc69e', '968e978414fe04ea')).toEqual({ ok: true, distance: 30 });
  });

  it('a file whose size differs from the stat fails as file_changed, not as a network error', async () => {
    const file = path.join(dir, 'grew.bin');
    await writeRandomFile(file, 5000);
    for (const size of [4000, 6000]) {
      const body = buildMultipart([{ kind: 'file', name: 'file', filename: 'g', contentType: 'application/octet-stream', path: file, size }]);
      const err = await errorOf(httpRequest({ method: 'POST', url: `${base}/x`, headers: { 'Content-Type': body.contentType }, stream: body }));
      expect(err.code).toBe('file_changed');
    }
    const ok = buildMultipart([{ kind: 'text', name: 'a', value: 'é' }, { kind: 'file', name: 'file', filename: 'g', contentType: 'application/octet-stream', path: file, size: 5000 }]);
    expect((await httpRequest({ method: 'POST', url: `${base}/x`, headers: { 'Content-Type': ok.contentType }, stream: ok })).status).toBe(200);
    expect(seen.at(-1)?.body.length).toBe(ok.length);
    expect(seen.at(-1)?.fields.a).toBe('é');
  });

  it('aborts a streaming upload', async () => {
    const file = path.join(dir, 'big.bin');
    await writeRandomFile(file, 4 * 1024 * 1024);
    const ac = new AbortController();
    const p = client().upload({ file: { path: file }, fileName: 'big.bin', signal: ac.signal, onProgress: (sent) => sent > 0 && ac.abort() });
    expect((await errorOf(p)).code).toBe('aborted');
  });
});
