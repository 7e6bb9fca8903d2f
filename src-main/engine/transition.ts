import { appError, fail, ok, type AppError, type Result } from '../../src-shared/errors.js';
import type { ExistingUpload, Job, UploadResult } from '../../src-shared/model/job.js';

/** Everything that can happen to a job, in past tense. `at` is epoch ms, supplied by the caller. */
export type JobEvent =
  | { type: 'started' }
  | { type: 'progressed'; bytesSent: number }
  | { type: 'uploaded' }
  | { type: 'verified'; result: UploadResult }
  /** `retryAt` set: the engine will try again then; absent: the failure is final. */
  | { type: 'failed'; error: AppError; retryAt?: number }
  /** The provider retries a failed request itself at `retryAt`; the attempt goes on. */
  | { type: 'hit-trouble'; error: AppError; retryAt: number }
  /** The user asked to try now instead of waiting for the next retry. */
  | { type: 'retry-now' }
  | { type: 'auth-refused'; error: AppError }
  | { type: 'paused' }
  | { type: 'became-unstable'; error: AppError }
  /** A file that changed mid-upload has stopped changing; `size` is its size now. */
  | { type: 'settled'; size: number }
  | { type: 'resumed' }
  | { type: 'canceled' }
  | { type: 'retried' }
  /** The journal brought an unfinished job back after a restart. */
  | { type: 'restored' }
  /** The content hash matched an earlier upload to the same destination. */
  | { type: 'found-duplicate'; existing: ExistingUpload }
  /** The user wants a fresh upload despite the duplicate. */
  | { type: 'upload-anyway' };

/**
 * The one pure function that changes job status. It never reads the clock or does I/O, so it is
 * table-tested exhaustively. An event that makes no sense in the current state is refused with
 * `invalid_transition` (the caller logs it; the job is unchanged).
 */
export function transition(job: Job, event: JobEvent, at: number): Result<Job> {
  const s = job.status;
  const next = (patch: Partial<Job>): Result<Job> => ok({ ...job, ...patch, updatedAt: at });
  const refuse = (): Result<Job> =>
    fail(appError('invalid_transition', `Cannot apply "${event.type}" to a ${s.kind} job.`, { details: { jobId: job.id } }));

  switch (event.type) {
    case 'started':
      if (s.kind !== 'queued' && s.kind !== 'retrying') return refuse();
      // Only a retry after a failure is a new try; a resume or restart goes on with the same one.
      return next({ status: { kind: 'uploading' }, attempts: s.kind === 'retrying' || job.attempts === 0 ? job.attempts + 1 : job.attempts });
    case 'progressed':
      if (s.kind !== 'uploading') return refuse();
      // Bytes moving again end any trouble the provider was waiting out.
      return next({ bytesSent: clamp(event.bytesSent, 0, job.size), ...(s.trouble ? { status: { kind: 'uploading' } } : {}) });
    case 'hit-trouble':
      if (s.kind !== 'uploading') return refuse();
      return next({ status: { kind: 'uploading', trouble: { error: event.error, retryAt: event.retryAt } } });
    case 'retry-now':
      if (s.kind !== 'retrying' && !(s.kind === 'uploading' && s.trouble)) return refuse();
      return next({ status: { kind: 'queued' } });
    case 'uploaded':
      if (s.kind !== 'uploading') return refuse();
      return next({ status: { kind: 'verifying' }, bytesSent: job.size });
    case 'verified':
      if (s.kind !== 'verifying') return refuse();
      return next({ status: { kind: 'done', result: event.result, verifiedAt: at } });
    case 'failed':
      if (s.kind !== 'uploading' && s.kind !== 'verifying' && s.kind !== 'queued') return refuse();
      if (event.retryAt !== undefined && event.error.retryable) {
        return next({ status: { kind: 'retrying', attempt: job.attempts, retryAt: event.retryAt, error: event.error } });
      }
      return next({ status: { kind: 'failed', error: event.error } });
    case 'auth-refused':
      if (s.kind !== 'uploading' && s.kind !== 'verifying' && s.kind !== 'queued' && s.kind !== 'retrying') return refuse();
      return next({ status: { kind: 'paused', reason: 'auth', error: event.error } });
    case 'paused':
      if (s.kind !== 'queued' && s.kind !== 'uploading' && s.kind !== 'retrying') return refuse();
      return next({ status: { kind: 'paused', reason: 'user' } });
    case 'became-unstable':
      if (s.kind !== 'queued' && s.kind !== 'uploading' && s.kind !== 'retrying' && s.kind !== 'verifying') return refuse();
      return next({ status: { kind: 'paused', reason: 'unstable', error: event.error }, bytesSent: 0 });
    case 'settled':
      // Only the engine's own stability watch ends an `unstable` pause; the upload starts over.
      if (s.kind !== 'paused' || s.reason !== 'unstable') return refuse();
      // The changed file is a failed try: the fresh upload counts as the next one.
      return next({ status: { kind: 'queued' }, size: event.size, bytesSent: 0, attempts: job.attempts + 1 });
    case 'resumed':
      if (s.kind !== 'paused') return refuse();
      return next({ status: { kind: 'queued' } });
    case 'canceled':
      if (s.kind === 'done' || s.kind === 'canceled' || s.kind === 'duplicate') return refuse();
      return next({ status: { kind: 'canceled' } });
    case 'retried':
      if (s.kind !== 'failed' && s.kind !== 'canceled') return refuse();
      // The user starts over: a fresh retry budget.
      return next({ status: { kind: 'queued' }, bytesSent: 0, attempts: 0 });
    case 'restored':
      // A job that was mid-flight when the process died goes back to the queue; its multipart
      // session (if journaled) lets it resume rather than restart.
      if (s.kind !== 'uploading' && s.kind !== 'verifying' && s.kind !== 'retrying') return refuse();
      return next({ status: { kind: 'queued' } });
    case 'found-duplicate':
      // Only an attempt that has started (it hashed the file) can find a duplicate.
      if (s.kind !== 'uploading') return refuse();
      return next({ status: { kind: 'duplicate', existing: event.existing }, bytesSent: 0 });
    case 'upload-anyway':
      if (s.kind !== 'duplicate') return refuse();
      // Finding the duplicate was not a failed try.
      return next({ status: { kind: 'queued' }, bytesSent: 0, attempts: 0, allowDuplicate: true });
    default:
      return assertNever(event);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function assertNever(value: never): never {
  throw new Error(`Unhandled job event: ${JSON.stringify(value)}`);
}
