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

/** What the provider reports about its own retries; tests and logs listen, the engine may too. */
export type UploadEvent =
  | { readonly type: 'retry'; readonly code: AppError['code']; readonly message: string; readonly attempt: number; readonly delayMs: number; readonly at: number }
  | { readonly type: 'concurrency'; readonly limit: number; readonly at: number }
  /** Intelligent ingestion was asked for but the server did not grant it: the file goes up the regular way. */
  | { readonly type: 'fii-not-granted'; readonly file: string; readonly message: string; readonly at: number };

/** Failed requests one upload attempt may make before it hands the problem back to the engine. */
export const DEFAULT_REQUEST_BUDGET = 24;

/**
 * Shared by every request of one upload attempt: one backoff clock and one failure budget. When
 * any request fails, all of them wait; after the wait a single request probes the server and the
 * others follow only once it got through. A 5xx storm then costs one request per backoff step
 * instead of one per part, and the number of failed requests per attempt is capped.
 */
export type RetryPacer = {
  /**
   * Resolves once the shared backoff (including a server's Retry-After) is over by the wall clock
   * and no other probe is out; true when the caller is now the probe.
   */
  ready(signal: AbortSignal): Promise<boolean>;
  /** A request succeeded: the failure streak ends and waiting requests go. */
  succeeded(): void;
  /** A request failed (any reason): its probe slot, if it had one, is free again. */
  release(): void;
  /** Counts a retryable failure; returns the failure streak (the backoff exponent) or null when the budget is spent. */
  failed(): number | null;
  /** Holds every request until `delayMs` from now (never shortens an existing hold). */
  holdFor(delayMs: number): void;
};

/** Creates the pacer for one upload attempt. */
export function createRetryPacer(budget = DEFAULT_REQUEST_BUDGET): RetryPacer {
  let resumeAt = 0;
  let streak = 0;
  let failures = 0;
  let probing = false;
  let waiters: (() => void)[] = [];
  const notify = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const changed = (signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(new FerryError(appError('aborted', 'The upload was canceled.')));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  return {
    async ready(signal) {
      for (;;) {
        // Re-check after waking: a later failure may have pushed the hold further out.
        const wait = resumeAt - Date.now();
        if (wait > 0) {
          await sleep(wait, signal);
          continue;
        }
        if (streak === 0) return false;
        if (!probing) {
          probing = true;
          return true;
        }
        await changed(signal);
      }
    },
    succeeded() {
      streak = 0;
      probing = false;
      notify();
    },
    release() {
      probing = false;
      notify();
    },
    failed() {
      failures++;
      streak++;
      return failures > budget ? null : streak;
    },
    holdFor(delayMs) {
      resumeAt = Math.max(resumeAt, Date.now() + delayMs);
    },
  };
}

/**
 * The error an attempt hands to the engine when it stops retrying a transient failure: same
 * code (so the engine keeps retrying later and shows the `retrying` state), with a message a
 * person understands.
 */
export function forQueue(original: AppError): AppError {
  // The engine's own retry reads `retryAfterMs` (engine/classify.ts retryAfterOf).
  const ra = typeof original.details?.retryAfter === 'string' ? parseRetryAfter(original.details.retryAfter, Date.now()) : null;
  const err = ra === null ? original : { ...original, details: { ...original.details, retryAfterMs: ra } };
  const status = typeof err.details?.status === 'number' ? err.details.status : null;
  if (err.code === 'server_error' && status !== null) return { ...err, message: `Service unavailable (HTTP ${status}), retrying: ${err.message}` };
  if (err.code === 'rate_limited') return { ...err, message: `Rate limited by the server, retrying: ${err.message}` };
  return err;
}

export type RetryOptions = {
  policy: RetryPolicy;
  signal: AbortSignal;
  reclassify?: (err: AppError) => AppError;
  onRetry?: (err: AppError, attempt: number, delayMs: number) => void;
  /** Shared backoff and failure budget of the upload attempt; without it this call backs off alone. */
  pacer?: RetryPacer;
  onEvent?: (event: UploadEvent) => void;
};

/**
 * Runs `fn` until it succeeds, retrying per `retryDelay` (engine/retry.ts) and honouring a
 * server's Retry-After (seconds or HTTP-date): the retry is sent no earlier than it asks. With a
 * pacer the backoff exponent is the attempt-wide failure streak and every request waits it out.
 * `reclassify` may mark an otherwise fatal error as retryable (e.g. an S3 BadDigest, where
 * re-reading the bytes can help). Aborts are never retried.
 */
export async function withRetry<T>(fn: (attempt: number, yieldProbe: () => void) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let probe = opts.pacer ? await opts.pacer.ready(opts.signal) : false;
    // `fn` calls this before it waits on something other than the server (a sibling's turn):
    // holding the probe there would keep that sibling, which waits for the probe, from going.
    const yieldProbe = (): void => {
      if (!probe) return;
      probe = false;
      opts.pacer?.release();
    };
    try {
      const value = await fn(attempt, yieldProbe);
      opts.pacer?.succeeded();
      return value;
    } catch (thrown) {
      if (probe) opts.pacer?.release();
      if (opts.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
      let err = toAppError(thrown);
      if (err.code === 'aborted') throw thrown;
      if (opts.reclassify) err = opts.reclassify(err);
      const giveUp = (): FerryError => {
        const shown = err.retryable ? forQueue(err) : err;
        return thrown instanceof FerryError && thrown.error === shown ? thrown : new FerryError(shown);
      };
      const retryAfter = typeof err.details?.retryAfter === 'string' ? parseRetryAfter(err.details.retryAfter, Date.now()) : null;
      // The per-call cap decides whether to go on; the attempt-wide streak sets how long to wait.
      if (retryDelay(attempt, err, opts.policy, retryAfter) === null) throw giveUp();
      const streak = opts.pacer ? opts.pacer.failed() : attempt;
      if (streak === null) throw giveUp();
      const delay = retryDelay(Math.min(streak, opts.policy.maxRetries), err, opts.policy, retryAfter) ?? 0;
      opts.onRetry?.(err, attempt, delay);
      opts.onEvent?.({ type: 'retry', code: err.code, message: err.message, attempt, delayMs: delay, at: Date.now() });
      if (opts.pacer) opts.pacer.holdFor(delay);
      else await sleep(delay, opts.signal);
    }
  }
}
