import { appError, FerryError, type AppError } from '../../../src-shared/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../engine/retry.js';
import type { UploadContext, UploadSource } from '../../engine/ports.js';
import { storeWireConfig } from '../../protocol/filestack/store-params.js';
import type { FilestackCheckpoint, MultipartSession } from './checkpoint.js';
import type { FileGuard } from './file-guard.js';
import { completeUpload, startUpload, type ApiConfig, type CompleteResponse, type FileFacts } from './multipart-api.js';
import { uploadParts } from './part-pool.js';
import type { FilestackProviderOptions } from './provider.js';
import { sleep, withRetry, type RetryPacer } from './retry-loop.js';

/** What one attempt shares between its calls. */
export type AttemptState = {
  readonly guard: FileGuard;
  readonly pacer: RetryPacer;
  /** Hears every part read (whole-file MD5, content key). */
  readonly onPartRead?: (part: number, bytes: Buffer, md5Base64: string) => void;
};

/** Per-request transport options taken from the provider options. */
export function transportOf(opts: FilestackProviderOptions): { security?: { policy: string; signature: string }; timeoutMs?: number; stallTimeoutMs?: number } {
  return {
    ...(opts.security ? { security: { ...opts.security } } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
  };
}

/** The wire config of every call of one upload. */
export function apiConfigOf(opts: FilestackProviderOptions, source: UploadSource): ApiConfig {
  return {
    apikey: opts.apikey,
    uploadBase: opts.uploadBase,
    ...transportOf(opts),
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
    ...storeWireConfig(opts, source),
  };
}

/**
 * start (or resume) → parts → complete with 202 polling. A one-part upload keeps no checkpoint:
 * it has nothing to resume, and the journal write would be its only disk sync.
 */
export async function runMultipart(
  opts: FilestackProviderOptions,
  source: UploadSource,
  ctx: UploadContext,
  signal: AbortSignal,
  partSize: number,
  resumed: FilestackCheckpoint | null,
  attempt: AttemptState,
): Promise<{ session: MultipartSession; complete: CompleteResponse }> {
  const policy = opts.retry ?? DEFAULT_RETRY_POLICY;
  const cfg = apiConfigOf(opts, source);
  const file: FileFacts = { filename: source.name, mimetype: source.mimetype, size: source.size };
  const { guard, pacer } = attempt;
  const retrying = { policy, signal, pacer, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
  await guard.check('before the first part');
  const session = resumed?.session ?? (await withRetry(() => startUpload(cfg, file, signal), retrying));
  const etags = new Map<number, string>(Object.entries(resumed?.parts ?? {}).map(([k, v]) => [Number(k), v]));
  const resumable = Math.ceil(source.size / partSize) > 1;
  const save = (): void => {
    if (resumable) ctx.checkpoint.save({ v: 1, fileSize: source.size, partSize, session, parts: Object.fromEntries(etags) } satisfies FilestackCheckpoint);
  };
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
    ...(attempt.onPartRead ? { onPartRead: attempt.onPartRead } : {}),
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
