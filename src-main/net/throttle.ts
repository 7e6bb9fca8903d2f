import { appError, FerryError } from '../../src-shared/errors.js';

/**
 * A shared bandwidth limit (token bucket, bytes per second). One limiter is shared by every
 * request of every upload so the cap holds for the whole app, and it can change while uploads
 * run (`setRate`). Request bodies wait on it slice by slice in net/http.ts.
 */
export interface RateLimiter {
  /** Resolves when `bytes` may be sent; rejects with `aborted` when `signal` fires first. */
  take(bytes: number, signal?: AbortSignal): Promise<void>;
  /** New limit in bytes/s; 0 or undefined = unlimited. Takes effect for waiting callers at once. */
  setRate(bytesPerSecond: number | undefined): void;
  /** Current limit in bytes/s, or undefined when unlimited. */
  readonly rate: number | undefined;
}

type Waiter = { bytes: number; resolve: () => void; reject: (err: unknown) => void; signal: AbortSignal | undefined; onAbort: () => void };

/** Smallest burst: one 64 KiB write slice must be able to go without waiting on an idle link. */
const MIN_BURST_BYTES = 64 * 1024;
/** Burst as a fraction of a second of the rate: smooth enough, few timer wake-ups. */
const BURST_SECONDS = 0.25;

const normalise = (r: number | undefined): number | undefined => (r !== undefined && Number.isFinite(r) && r > 0 ? r : undefined);

/**
 * Creates a token bucket. Callers may overdraw (a 64 KiB slice on an 8 KiB/s limit is allowed
 * into debt) and later callers wait until the debt is paid, so the long-run rate holds without
 * splitting writes. Waiters are served first come, first served. `now` (ms) is injectable.
 */
export function createRateLimiter(bytesPerSecond?: number, now: () => number = () => performance.now()): RateLimiter {
  let rate = normalise(bytesPerSecond);
  let tokens = rate === undefined ? 0 : burstOf(rate);
  let refilledAt = now();
  const queue: Waiter[] = [];
  let timer: NodeJS.Timeout | null = null;

  function burstOf(r: number): number {
    return Math.max(MIN_BURST_BYTES, r * BURST_SECONDS);
  }
  function refill(): void {
    const t = now();
    if (rate !== undefined) tokens = Math.min(burstOf(rate), tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
  }
  function settle(w: Waiter): void {
    w.signal?.removeEventListener('abort', w.onAbort);
    w.resolve();
  }
  function pump(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    refill();
    while (queue.length > 0 && (rate === undefined || tokens > 0)) {
      const w = queue.shift() as Waiter;
      if (rate !== undefined) tokens -= w.bytes;
      settle(w);
    }
    if (queue.length > 0 && rate !== undefined) {
      const waitMs = Math.ceil((-tokens / rate) * 1000) + 1;
      timer = setTimeout(pump, waitMs);
      timer.unref?.();
    }
  }

  return {
    get rate() {
      return rate;
    },
    take(bytes, signal) {
      if (signal?.aborted) return Promise.reject(new FerryError(appError('aborted', 'The upload was canceled.')));
      if (rate === undefined && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = {
          bytes,
          resolve,
          reject,
          signal,
          onAbort: () => {
            const i = queue.indexOf(w);
            if (i >= 0) queue.splice(i, 1);
            reject(new FerryError(appError('aborted', 'The upload was canceled.')));
          },
        };
        signal?.addEventListener('abort', w.onAbort, { once: true });
        queue.push(w);
        pump();
      });
    },
    setRate(next) {
      refill();
      const was = rate;
      rate = normalise(next);
      if (rate === undefined) tokens = 0;
      else tokens = was === undefined ? burstOf(rate) : Math.min(tokens, burstOf(rate));
      pump();
    },
  };
}
