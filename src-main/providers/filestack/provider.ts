import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import type { UploadResult } from '../../../src-shared/model/job.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../engine/retry.js';
import type { Provider, UploadContext, UploadSource } from '../../engine/ports.js';
import type { RateLimiter } from '../../net/throttle.js';
import { parseCheckpoint, type MultipartSession } from './checkpoint.js';
import { fileChangedError, openFileGuard, type FileGuard } from './file-guard.js';
import { intelligentUpload } from './intelligent.js';
import { createBlockMd5s } from './block-md5.js';
import { createOrderedMd5, md5OfFile } from './file-reader.js';
import type { CompleteResponse } from './multipart-api.js';
import { apiConfigOf, runMultipart, transportOf } from './multipart-run.js';
import { fitsOneRequest, storeInOneRequest } from './small-store.js';
import { storeWireConfig, type StoreOptions, type UploadTags } from '../../protocol/filestack/store-params.js';
import { createRetryPacer, withRetry, type RetryPacer, type UploadEvent } from './retry-loop.js';
import { compositeEtag, verifyFromComplete, verifyFromEtag, verifyStored, type VerifiedMetadata } from './verify.js';

/**
 * 8 MiB, as the Ruby and PHP SDKs (JS uses 6): the size of intelligent ingestion's parts and of
 * the content key's blocks (content-key.ts), so one MD5 pass per part serves the Content-MD5
 * and the dedupe key on either path.
 */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3: every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3: at most 10,000 parts. */
export const MAX_PARTS = 10_000;

export type FilestackProviderOptions = {
  readonly kind: 'local' | 'filestack';
  readonly apikey: string;
  /** Host of /multipart/start, e.g. https://upload.filestackapi.com or the local cloud's baseUrl. */
  readonly uploadBase: string;
  /** CDN origin the copied link is built on, e.g. https://cdn.filestackcontent.com. */
  readonly cdnBase: string;
  /** File API root, e.g. https://www.filestackapi.com/api/file (a bare origin gets /api/file). */
  readonly fileApiBase: string;
  readonly partSize?: number;
  readonly partConcurrency?: number;
  readonly security?: { readonly policy: string; readonly signature: string };
  readonly retry?: RetryPolicy;
  /** Pause between 202 answers to complete, in ms (default 1000, like the JS SDK). */
  readonly completePollMs?: number;
  /** Most complete calls answered 202 before giving up (default 30). */
  readonly completeMaxPolls?: number;
  /** Per-request timeout in ms (default: net/http's 120 s). */
  readonly timeoutMs?: number;
  /** "No progress for T" per request in ms (default net/http's 30 s); a stall is a retryable `stalled`. */
  readonly stallTimeoutMs?: number;
  /** Shared bandwidth limit (bytes/s, changeable while running) that request bodies wait on. */
  readonly limiter?: RateLimiter;
  /** Failed requests one upload attempt may make before handing a transient error to the engine (default 24). */
  readonly requestBudget?: number;
  /** Hears retries and part-concurrency changes (logs, tests). */
  readonly onEvent?: (event: UploadEvent) => void;
  /**
   * Intelligent Ingestion (spec §4, intelligent.ts): `true` sends 8 MiB parts as chunks that
   * shrink on failure; `'fallback'` sends parts the regular way until one fails (JS style).
   * When the server does not grant FII the upload continues as a regular one.
   */
  readonly intelligent?: boolean | 'fallback';
  /**
   * Verify from the complete (or store) answer when it carries the stored size and MD5, skipping
   * the File API metadata call. Turn it on for a server whose answer is as trustworthy as its
   * File API: the local cloud computes both from the bytes it stored (compose.ts does); Filestack's
   * answers carry no MD5, so for it this changes nothing. Off by default.
   */
  readonly verifyFromComplete?: boolean;
  /**
   * Files up to this many bytes (and at most one part) go up in one `/api/store` request
   * (small-store.ts) instead of the four multipart calls. 0 (default) = always multipart.
   */
  readonly singleRequestMax?: number;
  /** Store parameters sent on every call (spec §3.6, store-params.ts); location defaults to `s3`. */
  readonly store?: StoreOptions;
  /** `upload_tags` sent on complete (≤ 10 keys, key ≤ 128, value ≤ 256 chars; else bad_request before any request). */
  readonly uploadTags?: UploadTags;
  /** Keep a job's relativePath folders under store.path (default true; see store-params.ts). */
  readonly pathFromRelativePath?: boolean;
  /** Use the whole relativePath as the key, with no random prefix (see store-params.ts). */
  readonly exactKeys?: boolean;
};

/** Part size for a file: the requested size (at least 5 MiB), grown so there are ≤ 10,000 parts. */
export function partSizeFor(fileSize: number, requested = DEFAULT_PART_SIZE): number {
  return Math.max(requested, MIN_PART_SIZE, Math.ceil(fileSize / MAX_PARTS));
}

/** Filestack (or local cloud) provider: regular multipart upload, resumable, verified by MD5. */
export function createFilestackProvider(opts: FilestackProviderOptions): Provider {
  return { kind: opts.kind, upload: (source, ctx) => uploadFile(opts, source, ctx) };
}

/** The options with `onEvent` also telling the engine about each request retry (ctx.onTrouble). */
function reportingTrouble(opts: FilestackProviderOptions, ctx: UploadContext): FilestackProviderOptions {
  const onTrouble = ctx.onTrouble;
  if (!onTrouble) return opts;
  return {
    ...opts,
    onEvent: (event) => {
      opts.onEvent?.(event);
      if (event.type === 'retry') onTrouble(appError(event.code, event.message), event.at + event.delayMs);
    },
  };
}

async function uploadFile(base: FilestackProviderOptions, source: UploadSource, ctx: UploadContext): Promise<UploadResult> {
  const opts = reportingTrouble(base, ctx);
  if (source.size === 0) throw new FerryError(appError('empty_file', `${source.name} is empty; nothing to upload.`, { retryable: false }));
  if (ctx.signal.aborted) throw canceled();
  // Bad store options or upload tags fail here, typed, before any request.
  const wire = storeWireConfig(opts, source);
  const pacer = createRetryPacer(opts.requestBudget);
  const partSize = partSizeFor(source.size, opts.partSize);
  if (fitsOneRequest(opts, source, partSize, wire)) return uploadInOneRequest(opts, source, ctx, pacer);
  // Size, mtime and inode as of now; checked again around every part and before complete.
  const guard = await openFileGuard(source.path, source.size, source.name);

  // One controller for the whole attempt: a fatal part error stops its siblings too.
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let hashing: Promise<{ md5: string; size: number }> | null = null;
  try {
    const resumed = parseCheckpoint(ctx.checkpoint.load(), source.size, partSize);
    // Verification needs what we sent. A server whose answer we trust (verifyFromComplete)
    // gets the composite ETag of the MD5s every part or chunk went up with: no second hash of
    // the file. Else the whole-file MD5: built from the parts as they are read (a fresh regular
    // upload), else a separate pass alongside the upload (resumed parts are never read again,
    // and intelligent ingestion reads its own chunks).
    const trusted = opts.verifyFromComplete === true;
    const fresh = resumed === null;
    const sent = new Map<number, SentPart>();
    const ordered = !trusted && !opts.intelligent && fresh ? createOrderedMd5(Math.ceil(source.size / partSize), Math.max(1, opts.partConcurrency ?? 3) * partSize) : null;
    if (!(trusted && fresh) && ordered === null) hashing = md5OfFile(source.path, ac.signal);
    hashing?.catch(() => undefined);
    // The engine's content key comes free when our parts are its blocks (intelligent ingestion's
    // parts continued the regular way are read through onPartRead too).
    const keyFeed = ctx.contentKey && ctx.contentKey.blockSize === partSize ? ctx.contentKey : null;
    // Intelligent ingestion's 8 MiB parts are not key blocks: hash the blocks from the chunks as
    // they are sent (sharing the chunks' MD5 pass where a chunk starts a block), rather than
    // reading the whole file again once the upload is done.
    const contentKey = ctx.contentKey;
    const blocks = opts.intelligent && contentKey ? createBlockMd5s(source.size, contentKey.blockSize, (i, md5) => contentKey.add(i, md5)) : null;
    const attempt = {
      guard,
      pacer,
      onPartRead: (n: number, bytes: Buffer, md5: string): void => {
        ordered?.feed(n, bytes, md5);
        sent.set(n, { md5s: [md5], size: bytes.length });
        keyFeed?.add(n - 1, md5);
      },
    };
    let done: { session: MultipartSession; complete: CompleteResponse };
    try {
      done = opts.intelligent
        ? await intelligentUpload(opts, source, ctx, ac.signal, { guard, pacer, onPartSent: (n, md5s, size) => sent.set(n, { md5s, size }), ...(blocks ? { blocks } : {}) }, resumed !== null, (s) =>
            runMultipart(opts, source, ctx, ac.signal, partSize, s ? { v: 1, fileSize: source.size, partSize, session: s, parts: {} } : resumed, attempt),
          )
        : await runMultipart(opts, source, ctx, ac.signal, partSize, resumed, attempt);
    } catch (err) {
      // The server forgot the resumed session (expired, data wiped): start over once.
      // (intelligentUpload does its own restart.)
      if (opts.intelligent || resumed === null || toAppError(err).code !== 'not_found' || ctx.signal.aborted) throw err;
      ctx.checkpoint.clear();
      done = await runMultipart(opts, source, ctx, ac.signal, partSize, null, attempt);
    }
    const handle = done.complete.handle;
    const etag = trusted ? compositeOf(sent, source.size) : null;
    const fromEtag = etag !== null ? verifyFromEtag(done.complete, { size: source.size, etag }) : null;
    const meta =
      fromEtag ??
      (await verified(opts, done.complete, { size: source.size, md5: ordered?.result() ?? (await hashedMd5(hashing ?? md5OfFile(source.path, ac.signal), source, guard)) }, handle, ac.signal, pacer));
    // The checkpoint stays until the engine records the job done: if the app dies in between,
    // resuming re-sends only the (idempotent) complete and gets the same handle back.
    return resultOf(opts, handle, meta, source, done.complete);
  } catch (err) {
    if (ctx.signal.aborted) throw canceled();
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

function canceled(): FerryError {
  return new FerryError(appError('aborted', 'The upload was canceled.'));
}

/** A small file in one store request (small-store.ts), verified like any upload. */
async function uploadInOneRequest(opts: FilestackProviderOptions, source: UploadSource, ctx: UploadContext, pacer: RetryPacer): Promise<UploadResult> {
  // Bytes the engine already holds are of one version: there is nothing on disk to guard.
  const guard = source.bytes ? null : await openFileGuard(source.path, source.size, source.name);
  try {
    const stored = await storeInOneRequest(opts, source, apiConfigOf(opts, source), ctx, ctx.signal, { guard, pacer });
    const meta = await verified(opts, stored, { size: source.size, md5: stored.sourceMd5 }, stored.handle, ctx.signal, pacer);
    return resultOf(opts, stored.handle, meta, source, stored);
  } catch (err) {
    if (ctx.signal.aborted) throw canceled();
    throw err;
  }
}

/**
 * Checks the stored object against the source: from the server's answer when it carries size
 * and MD5 and `verifyFromComplete` trusts it, else with one File API metadata call.
 */
async function verified(
  opts: FilestackProviderOptions,
  answer: { size?: number | undefined; md5?: string | undefined },
  expected: { size: number; md5: string },
  handle: string,
  signal: AbortSignal,
  pacer: RetryPacer,
): Promise<VerifiedMetadata> {
  const fromAnswer = opts.verifyFromComplete ? verifyFromComplete(answer, expected) : null;
  if (fromAnswer) return fromAnswer;
  return withRetry(() => verifyStored({ fileApiBase: opts.fileApiBase, handle, signal, ...transportOf(opts) }, expected), {
    policy: opts.retry ?? DEFAULT_RETRY_POLICY,
    signal,
    pacer,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
}

function resultOf(opts: FilestackProviderOptions, handle: string, meta: VerifiedMetadata, source: UploadSource, answer: { mimetype?: string | undefined; filename?: string | undefined }): UploadResult {
  return {
    url: `${opts.cdnBase.replace(/\/+$/, '')}/${handle}`,
    remoteId: handle,
    size: meta.size,
    mimetype: answer.mimetype ?? source.mimetype,
    filename: answer.filename ?? source.name,
    // Verified by the composite ETag, a server that did not hash the whole file reports no MD5.
    ...(meta.md5 !== '' ? { md5: meta.md5 } : {}),
  };
}

/** What one part went up as: the MD5s (base64) of its pieces in order, and its length. */
type SentPart = { readonly md5s: readonly string[]; readonly size: number };

/** The composite ETag of what was sent, when parts 1, 2, … cover the whole file (null after a resume). */
function compositeOf(sent: ReadonlyMap<number, SentPart>, size: number): string | null {
  const md5s: string[] = [];
  let covered = 0;
  for (let n = 1; covered < size; n++) {
    const part = sent.get(n);
    if (!part) return null;
    md5s.push(...part.md5s);
    covered += part.size;
  }
  return covered === size ? compositeEtag(md5s) : null;
}

/** Awaits a separate hashing pass and checks it read the version the parts came from. */
async function hashedMd5(hashing: Promise<{ md5: string; size: number }>, source: UploadSource, guard: FileGuard): Promise<string> {
  const hash = await hashing;
  if (hash.size !== source.size) throw fileChangedError(source.name, 'hashing', 'size');
  // The hash must describe the same version the parts were read from.
  await guard.check('after hashing');
  return hash.md5;
}
