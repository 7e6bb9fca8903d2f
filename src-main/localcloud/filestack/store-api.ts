/**
 * `POST /api/store/<LOCATION>?key=<apikey>` (spec §5.1), the simple upload endpoint. The body is
 * a multipart form with the file in `fileUpload`, the raw bytes, or a urlencoded `url=` to store
 * from a URL. Answers `{url, size, type, filename, key}` (no `handle`: it is the last URL segment),
 * plus `md5` of the stored bytes (a local-cloud addition, like complete's: a client verifies a
 * small file in this one request). A raw body sent with Content-MD5 is checked like a part.
 */
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { ServerResponse } from 'node:http';
import busboy from 'busboy';
import mime from 'mime-types';
import type { CloudContext } from '../context.js';
import { HttpError, MAX_API_BODY_BYTES, queryOf, readBody, sendJson } from '../router.js';
import type { FinishedTemp } from '../storage.js';
import { DEFAULT_FETCH_MAX_BYTES, fetchExternal, type FetchLimits } from './process-source.js';
import { enforceSecurity } from './security.js';
import { storeBytes, storeOptionsFrom } from './store-file.js';

type Received = { data: Buffer | FinishedTemp; filename: string | null; mimetype: string | null };

/** Streams a request (or one form part) into a temp file, synced: it is about to be stored. */
async function toTemp(ctx: CloudContext, stream: AsyncIterable<Buffer>): Promise<FinishedTemp> {
  // MD5 only: the File API computes a SHA-256 when someone asks for one.
  const writer = await ctx.storage.createTempWriter({ sha256: false });
  try {
    for await (const chunk of stream) await writer.write(chunk);
    return await writer.finish({ sync: true });
  } catch (err) {
    await writer.discard();
    throw err;
  }
}

function readFormFile(ctx: CloudContext, req: IncomingMessage): Promise<Received> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fieldSize: MAX_API_BODY_BYTES } });
    } catch {
      reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data request.'));
      return;
    }
    let pending: Promise<Received> | null = null;
    bb.on('file', (name, stream, info) => {
      if (name !== 'fileUpload' || pending) {
        stream.resume();
        return;
      }
      pending = toTemp(ctx, stream as AsyncIterable<Buffer>).then((data) => ({ data, filename: info.filename || null, mimetype: info.mimeType || null }));
      pending.catch(() => stream.resume());
    });
    bb.on('error', () => reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data request.')));
    bb.on('close', () => {
      if (pending) pending.then(resolve, reject);
      else reject(new HttpError(400, 'bad_request', 'The form has no "fileUpload" file field.'));
    });
    req.pipe(bb);
  });
}

async function receive(ctx: CloudContext, req: IncomingMessage, q: URLSearchParams, limits: FetchLimits): Promise<Received & { url?: string }> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return readFormFile(ctx, req);
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const url = new URLSearchParams((await readBody(req)).toString('utf8')).get('url');
    if (!url) throw new HttpError(400, 'bad_request', 'A urlencoded /api/store body needs url=<source URL>.');
    const got = await fetchExternal(ctx, url, limits);
    return { data: got.data, filename: got.filename, mimetype: got.mimetype, url };
  }
  if (q.get('base64decode') === 'true') {
    const text = (await readBody(req, limits.maxBytes ?? DEFAULT_FETCH_MAX_BYTES)).toString('ascii').replace(/\s+/g, '');
    return { data: Buffer.from(text, 'base64'), filename: null, mimetype: type.split(';', 1)[0] || null };
  }
  const data = await toTemp(ctx, req as AsyncIterable<Buffer>);
  const contentMd5 = req.headers['content-md5'];
  if (typeof contentMd5 === 'string' && contentMd5 !== Buffer.from(data.md5, 'hex').toString('base64')) {
    await rm(data.path, { force: true });
    throw new HttpError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  return { data, filename: null, mimetype: type.split(';', 1)[0] || null };
}

/** Builds the POST /api/store/<LOCATION> handler. */
export function storeApiHandler(limits: FetchLimits = {}) {
  return async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext): Promise<void> => {
    const q = queryOf(req);
    const apikey = q.get('key') ?? q.get('apikey') ?? '';
    const app = ctx.apps.get(apikey);
    if (!app) throw new HttpError(403, 'forbidden', apikey === '' ? 'The key query parameter (apikey) is required.' : 'Unknown apikey.');
    const store = storeOptionsFrom({ ...Object.fromEntries(q), location: m[1] ?? 's3' });
    enforceSecurity(app, { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined }, {
      call: 'store',
      ...(store.path ? { path: store.path } : {}),
      ...(store.container ? { container: store.container } : {}),
    });
    const got = await receive(ctx, req, q, limits);
    const filename = store.filename ?? got.filename ?? 'file';
    const mimetype = store.mimetype ?? (got.mimetype && got.mimetype !== 'application/octet-stream' ? got.mimetype : mime.lookup(filename) || got.mimetype || 'application/octet-stream');
    const stored = await storeBytes(ctx, { data: got.data, apikey, filename, mimetype, store });
    sendJson(res, 200, { url: `${ctx.baseUrl}/${stored.handle}`, size: stored.size, type: stored.mimetype, filename: stored.filename, key: stored.key, md5: stored.md5 });
  };
}
