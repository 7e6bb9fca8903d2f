/**
 * Where the bytes of a processing request come from: a stored handle, or an external URL the
 * local cloud downloads (with a size cap and a timeout, so a slow or huge source cannot hold a
 * request open forever). Storage aliases and workflow outputs do not exist locally.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import mime from 'mime-types';
import type { Source } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { HttpError } from '../router.js';
import { contentTag, type StoredFile } from '../storage.js';
import { fetchCapped, fetchPolicyOf } from '../fetch-capped.js';
import type { Refusal } from '../url-guard.js';

/** Limits of {@link fetchExternal}. */
export type FetchLimits = {
  /** Largest body accepted, bytes; default 100 MiB. */
  readonly maxBytes?: number;
  /** Whole-download timeout, ms; default 30 s. */
  readonly timeoutMs?: number;
};

/** A downloaded external file. */
export type FetchedFile = { readonly data: Buffer; readonly mimetype: string; readonly filename: string; readonly url: string };

/** A resolved processing source: `input` is what the renderer reads; `sourceKey` keys its cache. */
export type ResolvedSource = {
  readonly input: string | Buffer;
  readonly sourceKey: string;
  readonly filename: string;
  readonly mimetype: string;
  /** The stored file, for handle sources. */
  readonly file: StoredFile | null;
  readonly url: string | null;
};

export const DEFAULT_FETCH_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

function filenameFrom(url: URL, disposition: string | null, mimetype: string): string {
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  let name = m?.[1] ? safeDecode(m[1]) : path.posix.basename(safeDecode(url.pathname));
  if (name === '' || name === '/') name = 'file';
  if (path.extname(name) === '') {
    const ext = mime.extension(mimetype);
    if (ext) name = `${name}.${ext}`;
  }
  return name;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Downloads an http(s) URL under the server's private-address policy; failures are 400s naming
 * the URL (403 for a refused address, 413 when it is too large).
 */
export async function fetchExternal(ctx: CloudContext, url: string, limits: FetchLimits = {}, headers: Record<string, string> = {}): Promise<FetchedFile> {
  const maxBytes = limits.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const fetched = await fetchCapped(url, { maxBytes, timeoutMs: limits.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, headers, ...fetchPolicyOf(ctx) });
  if (!fetched.ok) {
    const f = fetched.failure;
    if (f.kind === 'too-large') throw new HttpError(413, 'payload_too_large', `The source ${url} is larger than ${maxBytes} bytes.`);
    if (f.kind === 'status') throw new HttpError(400, 'bad_request', `Fetching ${url} answered HTTP ${f.status}.`);
    if (f.kind === 'invalid-url') throw new HttpError(400, 'bad_request', `Invalid source URL (must be http or https): ${url}`);
    if (f.kind === 'refused') throw refusedFetch(url, f);
    throw new HttpError(400, 'bad_request', `Could not fetch ${url}: ${f.reason}.`);
  }
  const res = fetched.value;
  const parsed = new URL(url);
  const mimetype = (res.headers.get('content-type') ?? '').split(';', 1)[0]?.trim() || 'application/octet-stream';
  return { data: res.data, mimetype, filename: filenameFrom(parsed, res.headers.get('content-disposition'), mimetype), url };
}

/** The 403 for a URL (or a redirect) naming a loopback, private or other special address. */
export function refusedFetch(url: string, r: Refusal): HttpError {
  return new HttpError(
    403,
    'forbidden',
    `Refused to fetch ${url}: ${r.host} is a ${r.range} address (${r.address}). The local cloud fetches public addresses only; start it with --allow-private-fetch to allow others.`,
  );
}

/** Resolves one parsed source to bytes the renderer can read. */
export async function resolveSource(ctx: CloudContext, source: Source, limits: FetchLimits = {}): Promise<ResolvedSource> {
  switch (source.kind) {
    case 'handle': {
      const file = await ctx.storage.get(source.handle);
      if (!file) throw new HttpError(404, 'not_found', `No file with handle ${JSON.stringify(source.handle)}.`);
      return {
        input: ctx.storage.blobPath(file.handle),
        sourceKey: `${file.handle}:${contentTag(file)}`,
        filename: file.filename,
        mimetype: file.mimetype,
        file,
        url: null,
      };
    }
    case 'url': {
      const got = await fetchExternal(ctx, source.url, limits);
      const digest = createHash('sha256').update(got.data).digest('hex');
      return { input: got.data, sourceKey: `url:${digest}`, filename: got.filename, mimetype: got.mimetype, file: null, url: source.url };
    }
    case 'alias':
      throw new HttpError(400, 'unsupported', `Storage-alias sources (src://${source.alias}/...) are not supported by the local cloud.`);
    case 'workflow':
      throw new HttpError(400, 'unsupported', 'Workflow sources (wf://...) are not supported by the local cloud.');
  }
}
