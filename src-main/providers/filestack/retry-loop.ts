import { appError, FerryError, toAppError, type AppError } from '../../../src-shared/errors.js';
import { parseRetryAfter, retryDelay, type RetryPolicy } from '../../engine/retry.js';

/** Resolves after `ms`, or rejects with `aborted` as soon as the signal fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new FerryError(appError('aborted', 'The upload was canceled.')));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new FerryError(appError('aborted', 'The upload was canceled.')));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, retrying per `retryDelay` (engine/retry.ts) and honouring a
 * server's Retry-After. `reclassify` may mark an otherwise fatal error as retryable (e.g. an S3
 * BadDigest, where re-reading the bytes can help). Aborts are never retried.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: { policy: RetryPolicy; signal: AbortSignal; reclassify?: (err: AppError) => AppError; onRetry?: (err: AppError, attempt: number, delayMs: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (thrown) {
      if (opts.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
      let err = toAppError(thrown);
      if (err.code === 'aborted') throw thrown;
      if (opts.reclassify) err = opts.reclassify(err);
      const retryAfter = typeof err.details?.retryAfter === 'string' ? parseRetryAfter(err.details.retryAfter, Date.now()) : null;
      const delay = retryDelay(attempt, err, opts.policy, retryAfter);
      if (delay === null) throw thrown instanceof FerryError && thrown.error === err ? thrown : new FerryError(err);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
