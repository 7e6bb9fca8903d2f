import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { CloudContext } from '../context.js';
import { parseRange, storedContentHeaders } from '../http-range.js';
import { HttpError, queryOf } from '../router.js';
import type { StoredFile } from '../storage.js';
import { sendFileMetadata } from './file-api-metadata.js';
import { decodePathTolerant, SLASH_PLACEHOLDER } from '../../../src-shared/filestack/tokens.js';
import { looksLikeApikey } from '../../../src-shared/filestack/url-parser.js';
import { enforceSecurity, securityFromTask, type SecurityPair } from './security.js';

/** A parsed CDN request: `/[<apikey>/]{<task>/}<source>` (spec §7.1). */
export type CdnRequest = {
  readonly apikey: string | null;
  /** Tasks in order, raw (`resize=width:100`), no-op tasks (`security`, `cache`) included. */
  readonly tasks: readonly string[];
  /** Last segment: a handle, or an external/alias source for processors. */
  readonly source: string;
};

/**
 * Renders a task chain. Processing (resize, output, video_convert...) plugs in here later; the
 * plain download path below stays as it is.
 */
export type CdnProcessor = (req: IncomingMessage, res: ServerResponse, cdn: CdnRequest, file: StoredFile | null, ctx: CloudContext) => Promise<void>;

const HANDLE_RE = /^[A-Za-z0-9_-]{20}$/;
/** Tasks that do not change the bytes; a chain of only these is a plain download. */
const NO_OP_TASKS = new Set(['security', 'cache']);

/** Splits a CDN path into segments on `/`, but not inside quotes or brackets (spec §7.1). */
export function splitCdnPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const ch of path) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '[') depth++;
    else if (!quoted && ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '/' && !quoted && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * The apikey test for the first segment: the keys of the apps this cloud knows first (any
 * shape, e.g. `--apikey SOMEAPIKEY`), else the shared heuristic for a real-looking key that is
 * not shaped like a handle.
 */
export function apikeyTest(ctx: Pick<CloudContext, 'apps'>): (segment: string) => boolean {
  // A 20-character handle also fits the heuristic: `/<handle>/metadata` must stay a handle.
  return (segment) => ctx.apps.has(segment) || (looksLikeApikey(segment) && !HANDLE_RE.test(segment));
}

/**
 * Parses a CDN pathname; null when it cannot be a CDN request. Decoding is tolerant: a raw `%`
 * (an unencoded `targets:> 1%`) stays text for the task parser instead of failing the request.
 */
export function parseCdnPath(pathname: string, isApikey: (segment: string) => boolean = looksLikeApikey): CdnRequest | null {
  const segs = splitCdnPath(decodePathTolerant(pathname)).map((s) => s.replaceAll(SLASH_PLACEHOLDER, '/'));
  const source = segs.pop();
  if (source === undefined) return null;
  const first = segs[0];
  const apikey = first !== undefined && !first.includes('=') && isApikey(first) ? first : null;
  return { apikey, tasks: apikey ? segs.slice(1) : segs, source };
}

const taskName = (task: string): string => task.split('=', 1)[0] ?? task;

/** Handles a whole CDN request itself (A/V conversion, av-route.ts). */
export type CdnTaskHandler = (req: IncomingMessage, res: ServerResponse, cdn: CdnRequest, ctx: CloudContext) => Promise<void>;

/**
 * GET/HEAD on the CDN: plain downloads of handles, `<handle>/metadata`, `video_convert` chains
 * (to `videoConvert`, before any image processor), else the processor.
 */
export function cdnHandler(processor?: CdnProcessor, videoConvert?: CdnTaskHandler) {
  return async (req: IncomingMessage, res: ServerResponse, _m: RegExpExecArray, ctx: CloudContext): Promise<void> => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const cdn = parseCdnPath(pathname, apikeyTest(ctx));
    if (!cdn) throw new HttpError(404, 'not_found', 'Not found.');
    // Python's metadata form: /<handle>/metadata
    const last = cdn.tasks[cdn.tasks.length - 1];
    const q = queryOf(req);
    const secTask = cdn.tasks.find((t) => taskName(t) === 'security');
    const pair = secTask !== undefined ? securityFromTask(secTask) : querySecurity(q);
    if (videoConvert && cdn.tasks.some((t) => taskName(t) === 'video_convert')) {
      await videoConvert(req, res, cdn, ctx);
      return;
    }
    if (cdn.source === 'metadata' && last !== undefined && HANDLE_RE.test(last)) {
      const file = await requireFile(ctx, last);
      guard(ctx, file, pair, 'stat');
      await sendFileMetadata(res, ctx, file, q, pair);
      return;
    }
    const file = HANDLE_RE.test(cdn.source) ? await ctx.storage.get(cdn.source) : null;
    const effective = cdn.tasks.filter((t) => !NO_OP_TASKS.has(taskName(t)));
    if (effective.length === 0) {
      if (cdn.source.startsWith('[')) throw new HttpError(400, 'bad_request', 'A multi-file source ([h1,h2]) needs a task that takes several files: zip or animate.');
      if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(cdn.source)}.`);
      guard(ctx, file, pair, 'read');
      await sendFile(req, res, ctx, file);
      return;
    }
    if (effective.length === 1 && effective[0] === 'metadata' && file) {
      guard(ctx, file, pair, 'stat');
      await sendFileMetadata(res, ctx, file, q, pair);
      return;
    }
    if (!processor) throw new HttpError(400, 'unsupported', `Processing tasks are not supported: ${effective.map(taskName).join(', ')}.`);
    await processor(req, res, cdn, file, ctx);
  };
}

/** GET /api/file/<handle>/metadata (spec §6). */
export async function handleFileMetadata(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const file = await requireFile(ctx, m[1] ?? '');
  const q = queryOf(req);
  guard(ctx, file, querySecurity(q), 'stat');
  await sendFileMetadata(res, ctx, file, q, querySecurity(q));
}

/** GET/HEAD /api/file/<handle>: the deprecated retrieve call, same bytes as the CDN. */
export async function handleFileRetrieve(req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext): Promise<void> {
  const file = await requireFile(ctx, m[1] ?? '');
  guard(ctx, file, querySecurity(queryOf(req)), 'read');
  await sendFile(req, res, ctx, file);
}

function querySecurity(q: URLSearchParams): SecurityPair {
  return { policy: q.get('policy') ?? undefined, signature: q.get('signature') ?? undefined };
}

/** Applies the owning app's policy rules to a read of a stored file. */
function guard(ctx: CloudContext, file: StoredFile, pair: SecurityPair, call: 'read' | 'stat'): void {
  const app = ctx.apps.get(file.apikey);
  if (app) enforceSecurity(app, pair, { call, handle: file.handle });
}

async function requireFile(ctx: CloudContext, handle: string): Promise<StoredFile> {
  const file = await ctx.storage.get(handle);
  if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(handle)}.`);
  return file;
}

/** Streams a stored file with ETag, conditional GET and single-range support. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, ctx: CloudContext, file: StoredFile, extra: Readonly<Record<string, string>> = {}): Promise<void> {
  // As S3 does: a multipart upload's ETag is its composite ETag (MD5 of the part MD5s, `-N`),
  // fixed at complete, so the first download of a big upload hashes nothing; a file stored in
  // one piece has its MD5. The same bytes always get the same tag, even once the File API has
  // computed the whole-file MD5 (storage.md5Of), so caches keep validating.
  const etag = `"${file.etag ?? (await ctx.storage.md5Of(file)).md5}"`;
  const headers: Record<string, string | number> = {
    ...extra,
    ...storedContentHeaders(file.mimetype),
    'Content-Type': file.mimetype,
    ETag: etag,
    'Accept-Ranges': 'bytes',
    'Last-Modified': new Date(file.uploadedAt).toUTCString(),
    'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  let start = 0;
  let end = file.size - 1;
  let status = 200;
  const range = req.headers.range;
  if (typeof range === 'string' && file.size > 0) {
    const parsed = parseRange(range, file.size);
    if (parsed === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${file.size}` });
      res.end();
      return;
    }
    if (parsed) {
      [start, end] = parsed;
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
    }
  }
  headers['Content-Length'] = file.size === 0 ? 0 : end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || file.size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(ctx.storage.blobPath(file.handle), { start, end }), res);
}
