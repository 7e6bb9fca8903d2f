import { createHash } from 'node:crypto';
import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../engine/retry.js';
import type { UploadContext, UploadSource } from '../../engine/ports.js';
import type { BlockMd5s } from './block-md5.js';
import type { MultipartSession } from './checkpoint.js';
import type { FileGuard } from './file-guard.js';
import { classifyChunkFailure, FII_PART_SIZE, type ChunkLimits } from './chunk-size.js';
import { acquireBuffer, openSource, releaseBuffer, type SourceFile } from './file-reader.js';
import { commitPart, completeIntelligent, startIntelligent } from './intelligent-api.js';
import { sendChunkedPart } from './intelligent-chunks.js';
import { createConcurrencyGate, LOOKAHEAD_PARTS } from './part-pool.js';
import { storeWireConfig } from '../../protocol/filestack/store-params.js';
import { parseIntelligentCheckpoint, type IntelligentCheckpoint } from './intelligent-checkpoint.js';
import { putPart, requestPartUrl, type ApiConfig, type CompleteResponse, type FileFacts } from './multipart-api.js';
import type { FilestackProviderOptions } from './provider.js';
import { sleep, withRetry, type RetryOptions, type RetryPacer } from './retry-loop.js';

/**
 * Filestack Intelligent Ingestion (spec §4). `true`: every 8 MiB part goes up as chunks with
 * offsets and is committed; complete carries `fii` and no parts. `'fallback'` (JS style, §4.3):
 * parts go up the regular way until one PUT fails, then that part and every later one is
 * chunked; complete carries `fii` plus the ETags of the regular parts. Either way, when the
 * server does not answer `upload_type: intelligent_ingestion` the upload continues as a regular
 * multipart upload on the session it already started (what the JS and Java SDKs do).
 */
export type IntelligentMode = true | 'fallback';

export type MultipartOutcome = { readonly session: MultipartSession; readonly complete: CompleteResponse };

export type IntelligentRunOptions = {
  readonly cfg: ApiConfig;
  readonly mode: IntelligentMode;
  readonly source: UploadSource;
  readonly ctx: UploadContext;
  readonly signal: AbortSignal;
  readonly policy: RetryPolicy;
  readonly concurrency: number;
  readonly completePollMs: number;
  readonly completeMaxPolls: number;
  readonly limits?: ChunkLimits;
  /** Attempt-wide pacing for the API calls (start, chunk URLs, commit, complete). */
  readonly retry?: Pick<RetryOptions, 'pacer' | 'onEvent'>;
  /** Re-checks the source before each part and before complete (file changed → abort). */
  readonly guard?: Pick<FileGuard, 'check'>;
  /** True when the checkpoint holds a regular (non-FII) upload of this file to resume. */
  readonly regularResumable: boolean;
  /** Continues as a regular upload: on `session` (FII not granted), or null = resume the regular checkpoint. */
  readonly regular: (session: MultipartSession | null) => Promise<MultipartOutcome>;
  /** Hears the MD5s (base64) a part went up as (its chunks in order, or the one of a regular part) and its length. */
  readonly onPartSent?: (part: number, md5s: readonly string[], size: number) => void;
  /** The engine's content-key blocks, hashed from what is sent (block-md5.ts). */
  readonly blocks?: BlockMd5s;
};

/**
 * The provider's entry point: maps FilestackProviderOptions onto a run. `regular` continues as
 * a regular upload (see IntelligentRunOptions).
 */
export function intelligentUpload(
  opts: FilestackProviderOptions,
  source: UploadSource,
  ctx: UploadContext,
  signal: AbortSignal,
  attempt: {
    readonly guard?: Pick<FileGuard, 'check'>;
    readonly pacer?: RetryPacer;
    readonly onPartSent?: (part: number, md5s: readonly string[], size: number) => void;
    readonly blocks?: BlockMd5s;
  },
  regularResumable: boolean,
  regular: (session: MultipartSession | null) => Promise<MultipartOutcome>,
): Promise<MultipartOutcome> {
  const cfg: ApiConfig = {
    apikey: opts.apikey,
    uploadBase: opts.uploadBase,
    ...(opts.security ? { security: { ...opts.security } } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    // Store parameters (spec §3.6) travel on every FII call too.
    ...storeWireConfig(opts, source),
  };
  return runIntelligent({
    cfg,
    mode: opts.intelligent === 'fallback' ? 'fallback' : true,
    source,
    ctx,
    signal,
    policy: opts.retry ?? DEFAULT_RETRY_POLICY,
    concurrency: Math.max(1, opts.partConcurrency ?? 3),
    completePollMs: opts.completePollMs ?? 1000,
    completeMaxPolls: opts.completeMaxPolls ?? 30,
    retry: { ...(attempt.pacer ? { pacer: attempt.pacer } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) },
    ...(attempt.guard ? { guard: attempt.guard } : {}),
    ...(attempt.onPartSent ? { onPartSent: attempt.onPartSent } : {}),
    ...(attempt.blocks ? { blocks: attempt.blocks } : {}),
    regularResumable,
    regular,
  });
}

/** Runs an intelligent upload, resuming its checkpoint; a session the server forgot restarts once. */
export async function runIntelligent(o: IntelligentRunOptions): Promise<MultipartOutcome> {
  const resumed = o.regularResumable ? null : parseIntelligentCheckpoint(o.ctx.checkpoint.load(), o.source.size);
  try {
    return o.regularResumable ? await o.regular(null) : await runOnce(o, resumed);
  } catch (err) {
    if ((resumed === null && !o.regularResumable) || toAppError(err).code !== 'not_found' || o.signal.aborted) throw err;
    o.ctx.checkpoint.clear();
    return runOnce(o, null);
  }
}

async function runOnce(o: IntelligentRunOptions, resumed: IntelligentCheckpoint | null): Promise<MultipartOutcome> {
  const { cfg, policy, signal, source } = o;
  const retrying = { policy, signal, ...o.retry };
  const file: FileFacts = { filename: source.name, mimetype: source.mimetype, size: source.size };
  let session: MultipartSession;
  if (resumed) session = resumed.session;
  else {
    await o.guard?.check('before the first part');
    const started = await withRetry(() => startIntelligent(cfg, file, signal), retrying);
    if (!started.granted) {
      o.retry?.onEvent?.({
        type: 'fii-not-granted',
        file: source.name,
        message: `${source.name}: the server does not grant intelligent ingestion to this app (start answered no upload_type); uploading it the regular way.`,
        at: Date.now(),
      });
      return o.regular(started.session);
    }
    session = started.session;
  }
  const committed = new Set<number>(resumed?.committed ?? []);
  const etags = new Map<number, string>(Object.entries(resumed?.etags ?? {}).map(([k, v]) => [Number(k), v]));
  let chunked = o.mode === true || resumed?.switched === true;
  const save = (): void =>
    o.ctx.checkpoint.save({
      v: 1,
      mode: 'fii',
      fileSize: source.size,
      partSize: FII_PART_SIZE,
      session,
      committed: [...committed].sort((a, b) => a - b),
      etags: Object.fromEntries(etags),
      switched: chunked,
    } satisfies IntelligentCheckpoint);
  save();

  const partCount = Math.ceil(source.size / FII_PART_SIZE);
  const lengthOf = (n: number): number => Math.min(FII_PART_SIZE, source.size - (n - 1) * FII_PART_SIZE);
  const progress = progressReporter(o.ctx.onProgress);
  const pending: number[] = [];
  for (let n = 1; n <= partCount; n++) {
    if (committed.has(n) || etags.has(n)) progress.done(lengthOf(n));
    else pending.push(n);
  }
  progress.report();
  // Each part starts from the chunk size the last finished part ended at: a bad network shows
  // up on every part, so relearning it from 8 MiB each time would waste whole megabytes.
  let chunkHint = o.limits?.max ?? FII_PART_SIZE;
  // One open file for every chunk of the attempt.
  const reader = await openSource(source.path);
  // Only PUTs take the attempt's slots: LOOKAHEAD_PARTS more are read, hashed and given their URL while
  // the others send, as regular uploads do (part-pool.ts). Not in 'fallback' mode: there a part
  // prepared the regular way must not go out after a sibling's failure switched the upload to FII.
  const gate = createConcurrencyGate(o.concurrency);
  const workers = o.concurrency + (o.mode === true ? LOOKAHEAD_PARTS : 0);
  const slot = (s: AbortSignal): Promise<() => void> => gate.acquire(s);

  const sendPart = async (n: number, local: AbortSignal): Promise<void> => {
    const partStart = (n - 1) * FII_PART_SIZE;
    const length = lengthOf(n);
    await o.guard?.check(`part ${n}`);
    if (!chunked) {
      try {
        const sent = await sendRegularPart(o, reader, session, n, partStart, length, local, (b) => progress.partial(n, b), slot);
        etags.set(n, sent.etag);
        o.onPartSent?.(n, [sent.md5], length);
        progress.finish(n, length);
        save();
        return;
      } catch (err) {
        if (local.aborted || classifyChunkFailure(toAppError(err)) === 'fatal') throw err;
        // JS fallback (§4.3): the first failed part PUT switches the rest of the upload to FII.
        chunked = true;
        save();
      }
    }
    const sent = await sendChunkedPart({
      cfg,
      session,
      file: reader,
      part: n,
      partStart,
      partLength: length,
      initialChunkSize: chunkHint,
      ...(o.limits ? { limits: o.limits } : {}),
      policy,
      signal: local,
      ...(o.retry ? { retry: o.retry } : {}),
      onBytes: (b) => progress.partial(n, b),
      ...(o.blocks ? { blocks: o.blocks } : {}),
      slot,
    });
    chunkHint = sent.chunkSize;
    // The commit holds no bytes: the worker goes on to its next part while it is answered, so a
    // round trip per part stays off the transfer's path. A failed commit fails the upload once
    // the parts are done (complete needs every part committed).
    const commit = withRetry(() => commitPart(cfg, session, n, source.size, signal), retrying).then(() => {
      o.onPartSent?.(n, sent.md5s, length);
      committed.add(n);
      progress.finish(n, length);
      save();
    });
    commit.catch(() => undefined);
    commits.push(commit);
  };
  const commits: Promise<void>[] = [];
  try {
    await runPool(pending, workers, signal, sendPart);
  } finally {
    await Promise.allSettled(commits);
    await reader.close();
  }
  await Promise.all(commits);

  const parts = [...etags.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
  await o.guard?.check('before complete');
  for (let poll = 1; poll <= o.completeMaxPolls; poll++) {
    const complete = await withRetry(() => completeIntelligent(cfg, session, file, parts, signal), retrying);
    if (complete) return { session, complete };
    await sleep(o.completePollMs, signal);
  }
  throw new FerryError(appError('server_error', `The server was still assembling the file after ${o.completeMaxPolls} checks.`, { details: { polls: o.completeMaxPolls } }));
}

/** Fallback mode: one regular part (/multipart/upload + PUT, not retried, as in JS). */
async function sendRegularPart(
  o: IntelligentRunOptions,
  file: SourceFile,
  session: MultipartSession,
  n: number,
  start: number,
  length: number,
  signal: AbortSignal,
  onBytes: (b: number) => void,
  slot: (signal: AbortSignal) => Promise<() => void>,
): Promise<{ etag: string; md5: string }> {
  const bytes = await file.read(start, acquireBuffer(length));
  try {
    const md5 = o.blocks ? o.blocks.chunkMd5(start, bytes) : createHash('md5').update(bytes).digest('base64');
    const target = await withRetry(() => requestPartUrl(o.cfg, session, { number: n, size: length, md5 }, signal), { policy: o.policy, signal, ...o.retry });
    const release = await slot(signal);
    try {
      return { etag: await putPart(target, bytes, signal, onBytes, o.cfg.timeoutMs, o.cfg), md5 };
    } finally {
      release();
    }
  } finally {
    releaseBuffer(bytes);
  }
}

/** Parts with at most `concurrency` in flight; the first error stops the others and is rethrown. */
async function runPool(items: number[], concurrency: number, signal: AbortSignal, fn: (n: number, local: AbortSignal) => Promise<void>): Promise<void> {
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && !local.signal.aborted) {
      const n = items.shift();
      if (n === undefined) return;
      try {
        await fn(n, local.signal);
      } catch (err) {
        if (failure === null) failure = err;
        local.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => worker()));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
  if (failure !== null) throw failure;
}

/** Confirmed bytes + bytes of in-flight parts, reported only when the total grows (the engine expects monotonic progress). */
function progressReporter(onProgress: (bytes: number) => void): {
  done(bytes: number): void;
  partial(part: number, bytes: number): void;
  finish(part: number, length: number): void;
  report(): void;
} {
  let confirmed = 0;
  let reported = -1;
  const inFlight = new Map<number, number>();
  const report = (): void => {
    let total = confirmed;
    for (const v of inFlight.values()) total += v;
    if (total > reported) {
      reported = total;
      onProgress(total);
    }
  };
  return {
    done: (bytes) => (confirmed += bytes),
    partial: (part, bytes) => {
      inFlight.set(part, bytes);
      report();
    },
    finish: (part, length) => {
      inFlight.delete(part);
      confirmed += length;
      report();
    },
    report,
  };
}
