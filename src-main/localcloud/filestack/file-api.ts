/**
 * File API writes (spec §6): overwrite (`POST` with a `url=` form field, a multipart
 * `fileUpload` part or a raw body; `PUT` with a raw body) and delete. Security calls: `write`
 * for overwrite, `remove` for delete, enforced when the owning app requires security.
 *
 * Overwrite is all-or-nothing: the new bytes go to a temp file first and only a complete,
 * fsynced body replaces the blob (rename), keeping the handle; a failed or aborted overwrite
 * leaves the old file as it was.
 */
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { fetchCapped, fetchPolicyOf } from '../fetch-capped.js';
import { refusedFetch } from './process-source.js';
import type { CloudContext } from '../context.js';
import { HttpError, queryOf, readBody, sendJson } from '../router.js';
import type { FinishedTemp, StoredFile, TempWriter } from '../storage.js';
import { enforceSecurity, type SecurityPair } from './security.js';

/** Largest document an overwrite-from-URL fetches (it is buffered in memory). */
const MAX_URL_FETCH_BYTES = 512 * 1024 * 1024;

function pairOf(q: URLSearchParams): SecurityPair {
  return { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined };
}

async function requireFile(ctx: CloudContext, handle: string): Promise<StoredFile> {
  const file = await ctx.storage.get(handle);
  if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(handle)}.`);
  return file;
}

/** A `key=` that names another app is refused; a missing one is allowed where SDKs omit it. */
function checkKey(q: URLSearchParams, file: StoredFile, required: boolean): void {
  const key = q.get('key');
  if (key === null || key === '') {
    if (required) throw new HttpError(400, 'bad_request', 'The key query parameter (apikey) is required.');
    return;
  }
  if (key !== file.apikey) throw new HttpError(403, 'forbidden', 'The apikey does not own this file.');
}

async function writeAll(writer: TempWriter, source: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of source) await writer.write(chunk);
}

/** Streams the new content into a temp file; returns it with the mimetype the request declared. */
async function receiveContent(req: IncomingMessage, ctx: CloudContext, writer: TempWriter): Promise<string | null> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const url = form.get('url');
    if (!url || !/^https?:\/\//.test(url)) throw new HttpError(400, 'bad_request', 'The url form field must be an http(s) URL.');
    const got = await fetchCapped(url, { maxBytes: MAX_URL_FETCH_BYTES, timeoutMs: 60_000, ...fetchPolicyOf(ctx) });
    if (!got.ok) {
      const f = got.failure;
      if (f.kind === 'refused') throw refusedFetch(url, f);
      if (f.kind === 'too-large') throw new HttpError(413, 'payload_too_large', 'The document at url is too large.');
      throw new HttpError(400, 'bad_request', `Could not fetch ${url} (${f.kind === 'status' ? `HTTP ${f.status}` : 'unreachable'}).`);
    }
    await writer.write(got.value.data);
    return got.value.headers.get('content-type')?.split(';')[0]?.trim() ?? null;
  }
  if (type === 'multipart/form-data') return receiveMultipart(req, writer);
  await writeAll(writer, req as AsyncIterable<Buffer>);
  return type === '' ? null : type;
}

function receiveMultipart(req: IncomingMessage, writer: TempWriter): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1 } });
    } catch {
      reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data body.'));
      return;
    }
    let mimetype: string | null = null;
    let pending: Promise<void> | null = null;
    bb.on('file', (_field, stream, info) => {
      mimetype = info.mimeType;
      pending = writeAll(writer, stream as AsyncIterable<Buffer>);
      pending.catch(() => stream.resume());
    });
    bb.on('error', () => reject(new HttpError(400, 'bad_request', 'Malformed multipart/form-data body.')));
    bb.on('close', () => {
      if (!pending) reject(new HttpError(400, 'bad_request', 'The multipart body has no fileUpload part.'));
      else pending.then(() => resolve(mimetype), reject);
    });
    req.pipe(bb);
  });
}

/** POST/PUT /api/file/<handle>: replaces the file's bytes, keeping its handle. */
export async function handleOverwrite(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const file = await requireFile(ctx, m[1] ?? '');
  const q = queryOf(req);
  checkKey(q, file, false);
  const app = ctx.apps.get(file.apikey);
  if (app) enforceSecurity(app, pairOf(q), { call: 'write', handle: file.handle });
  if (q.get('base64decode') === 'true') throw new HttpError(400, 'unsupported', 'base64decode=true is not supported by the local cloud.');
  const writer = await ctx.storage.createTempWriter();
  let finished: FinishedTemp;
  let declared: string | null;
  try {
    declared = await receiveContent(req, ctx, writer);
    finished = await writer.finish();
  } catch (err) {
    await writer.discard();
    throw err;
  }
  if (finished.size === 0) {
    await rm(finished.path, { force: true });
    throw new HttpError(400, 'bad_request', 'The new content is empty.');
  }
  // A generic type says nothing about the content; keep the type the file had.
  const mimetype = declared && declared !== 'application/octet-stream' && declared !== 'multipart/form-data' ? declared : file.mimetype;
  const { handle, filename, apikey, key, path, container, location, uploadTags } = file;
  const stored = await ctx.storage.commit(finished, { handle, filename, mimetype, apikey, key, path, container, location, ...(uploadTags ? { uploadTags } : {}) });
  sendJson(res, 200, { url: `${ctx.baseUrl}/${stored.handle}`, handle: stored.handle, filename: stored.filename, mimetype: stored.mimetype, size: stored.size, isWriteable: true });
}

/** DELETE /api/file/<handle>?key=<apikey>[&policy&signature][&skip_storage=true]. */
export async function handleDelete(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const file = await requireFile(ctx, m[1] ?? '');
  const q = queryOf(req);
  checkKey(q, file, true);
  const app = ctx.apps.get(file.apikey);
  if (app) enforceSecurity(app, pairOf(q), { call: 'remove', handle: file.handle });
  // skip_storage (keep the object, drop the record) means the same here: the record is the file.
  await ctx.storage.remove(file.handle);
  sendJson(res, 200, { handle: file.handle, status: 'deleted' });
}
