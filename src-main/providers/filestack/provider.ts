import { appError, FerryError, toAppError, type AppError } from '../../../src-shared/errors.js';
import type { UploadResult } from '../../../src-shared/model/job.js';
import { digestMatches, sourceDigest } from '../../engine/content-hash.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../engine/retry.js';
import type { Provider, UploadContext, UploadSource } from '../../engine/ports.js';
import type { RateLimiter } from '../../net/throttle.js';
import { parseCheckpoint, type FilestackCheckpoint, type MultipartSession } from './checkpoint.js';
import { fileChangedError, openFileGuard, type FileGuard } from './file-guard.js';
import { intelligentUpload } from './intelligent.js';
import { createOrderedMd5, md5OfFile, type OrderedMd5 } from './file-reader.js';
import { completeUpload, startUpload, type ApiConfig, type CompleteResponse, type FileFacts } from './multipart-api.js';
import { uploadParts } from './part-pool.js';
import { storeWireConfig, type StoreOptions, type UploadTags } from '../../protocol/filestack/store-params.js';
import { createRetryPacer, sleep, withRetry, type RetryPacer, type UploadEvent } from './retry-loop.js';
import { verifyFromComplete, verifyStored } from './verify.js';

/** JS SDK default part size. */
export const DEFAULT_PART_SIZE = 6 * 1024 * 1024;
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
   * Verify from the complete answer when it carries the stored size and MD5 (the local cloud's
   * does; Filestack's never does), skipping the File API metadata call. Off by default: the
   * metadata call is the check that reads the stored object back.
   */
  readonly verifyFromComplete?: boolean;
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
  if (ctx.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
  // Bad store options or upload tags fail here, typed, before any request.
  storeWireConfig(opts, source);
  // Size, mtime and inode as of now; checked again around every part and before complete.
  const guard = await openFileGuard(source.path, source.size, source.name);
  const pacer = createRetryPacer(opts.requestBudget);

  // One controller for the whole attempt: a fatal part error stops its siblings too.
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const partSize = partSizeFor(source.size, opts.partSize);
  let hashing: Promise<{ md5: string; size: number }> | null = null;
  try {
    const resumed = parseCheckpoint(ctx.checkpoint.load(), source.size, partSize);
    // Verification needs the source's MD5. Cheapest first: the engine's digest of this very
    // version; else built from the parts as they are read (a fresh regular upload); else a
    // separate pass over the file alongside the upload (resumed parts are never read again,
    // and intelligent ingestion reads its own chunks).
    const known = sourceDigest(source);
    const knownMd5 = digestMatches(known, guard.identity) ? known.md5 : null;
    const ordered =
      knownMd5 === null && !opts.intelligent && resumed === null
        ? createOrderedMd5(Math.ceil(source.size / partSize), Math.max(1, opts.partConcurrency ?? 3) * partSize)
        : null;
    if (knownMd5 === null && ordered === null) hashing = md5OfFile(source.path, ac.signal);
    hashing?.catch(() => undefined);
    let done: { session: MultipartSession; complete: CompleteResponse };
    try {
      done = opts.intelligent
        ? await intelligentUpload(opts, source, ctx, ac.signal, { guard, pacer }, resumed !== null, (s) =>
            runMultipart(opts, source, ctx, ac.signal, partSize, s ? { v: 1, fileSize: source.size, partSize, session: s, parts: {} } : resumed, { guard, pacer }),
          )
        : await runMultipart(opts, source, ctx, ac.signal, partSize, resumed, { guard, pacer, ordered });
    } catch (err) {
      // The server forgot the resumed session (expired, data wiped): start over once.
      // (intelligentUpload does its own restart.)
      if (opts.intelligent || resumed === null || toAppError(err).code !== 'not_found' || ctx.signal.aborted) throw err;
      ctx.checkpoint.clear();
      done = await runMultipart(opts, source, ctx, ac.signal, partSize, null, { guard, pacer, ordered });
    }
    const md5 = knownMd5 ?? ordered?.result() ?? (await hashedMd5(hashing ?? md5OfFile(source.path, ac.signal), source, guard));
    const handle = done.complete.handle;
    const expected = { size: source.size, md5 };
    const meta =
      (opts.verifyFromComplete ? verifyFromComplete(done.complete, expected) : null) ??
      (await withRetry(() => verifyStored({ fileApiBase: opts.fileApiBase, handle, signal: ac.signal, ...optional(opts) }, expected), {
        policy: opts.retry ?? DEFAULT_RETRY_POLICY,
        signal: ac.signal,
        pacer,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      }));
    // The checkpoint stays until the engine records the job done: if the app dies in between,
    // resuming re-sends only the (idempotent) complete and gets the same handle back.
    return {
      url: `${opts.cdnBase.replace(/\/+$/, '')}/${handle}`,
      remoteId: handle,
      size: meta.size,
      mimetype: done.complete.mimetype ?? source.mimetype,
      filename: done.complete.filename ?? source.name,
      md5: meta.md5,
    };
  } catch (err) {
    if (ctx.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

/** Awaits a separate hashing pass and checks it read the version the parts came from. */
async function hashedMd5(hashing: Promise<{ md5: string; size: number }>, source: UploadSource, guard: FileGuard): Promise<string> {
  const hash = await hashing;
  if (hash.size !== source.size) throw fileChangedError(source.name, 'hashing', 'size');
  // The hash must describe the same version the parts were read from.
  await guard.check('after hashing');
  return hash.md5;
}

function optional(opts: FilestackProviderOptions): { security?: { policy: string; signature: string }; timeoutMs?: number; stallTimeoutMs?: number } {
  return {
    ...(opts.security ? { security: { ...opts.security } } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
  };
}

/** start (or resume) → parts → complete with 202 polling. */
async function runMultipart(
  opts: FilestackProviderOptions,
  source: UploadSource,
  ctx: UploadContext,
  signal: AbortSignal,
  partSize: number,
  resumed: FilestackCheckpoint | null,
  attempt: { guard: FileGuard; pacer: RetryPacer; ordered?: OrderedMd5 | null },
): Promise<{ session: MultipartSession; complete: CompleteResponse }> {
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const cfg: ApiConfig = {
    apikey: opts.apikey,
    uploadBase: opts.uploadBase,
    ...optional(opts),
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    ...storeWireConfig(opts, source),
  };
  const file: FileFacts = { filename: source.name, mimetype: source.mimetype, size: source.size };
  const { guard, pacer } = attempt;
  const retrying = { policy, signal, pacer, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
  await guard.check('before the first part');
  const session = resumed?.session ?? (await withRetry(() => startUpload(cfg, file, signal), retrying));
  const etags = new Map<number, string>(Object.entries(resumed?.parts ?? {}).map(([k, v]) => [Number(k), v]));
  const save = (): void =>
    ctx.checkpoint.save({ v: 1, fileSize: source.size, partSize, session, parts: Object.fromEntries(etags) } satisfies FilestackCheckpoint);
  save();

  await uploadParts({
    cfg,
    session,
    source,
    partSize,
    concurrency: Math.max(1, opts.partConcurrency ?? 3),
    confirmed: etags,
    policy,
    signal,
    guard,
    pacer,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    onProgress: ctx.onProgress,
    ...(attempt.ordered ? { onPartRead: attempt.ordered.feed } : {}),
    onConfirmed: (n, etag) => {
      etags.set(n, etag);
      save();
    },
  });

  const parts = [...etags.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
  // Last chance before the server assembles: every part must come from the captured version.
  await guard.check('before complete');
  const maxPolls = opts.completeMaxPolls ?? 30;
  for (let poll = 1; poll <= maxPolls; poll++) {
    const complete = await withRetry(() => completeUpload(cfg, session, file, parts, signal), retrying);
    if (complete) return { session, complete };
    await sleep(opts.completePollMs ?? 1000, signal);
  }
  const err: AppError = appError('server_error', `The server was still assembling the file after ${maxPolls} checks.`, { details: { polls: maxPolls } });
  throw new FerryError(err);
}
