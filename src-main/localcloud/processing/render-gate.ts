/**
 * Admission control for image renders. Decoding is what costs memory (a 49 MP RGBA image is
 * ~200 MB of pixels however small its PNG), so renders are admitted by pixels as well as by
 * count: at most `slots` at once (the cores), and together no more than `pixelBudget` input
 * pixels, so two 49 MP renders never decode side by side while many thumbnails still do. Waiting
 * renders are served first come, first served (a big one is not starved by small ones), and when
 * `maxWaiting` are already queued the next caller is told "busy" at once instead of piling up.
 */
import os from 'node:os';
import { FerryError, appError } from '../../../src-shared/errors.js';
import { DEFAULT_MAX_PIXELS } from './limits.js';

/** Options of {@link createRenderGate}. */
export type RenderGateOptions = {
  /** Renders running at once; default the number of cores. */
  readonly slots?: number;
  /** Input pixels (width × height) running at once; default the per-image cap (50 MP). A larger render runs alone. */
  readonly pixelBudget?: number;
  /** Renders allowed to wait; more → a `rate_limited` error at once. Default 8 per slot. */
  readonly maxWaiting?: number;
  /** Seconds a refused caller is told to wait (Retry-After); default 2. */
  readonly retryAfterSeconds?: number;
};

/** The gate; `run` holds a slot (and `pixels` of the budget) while `fn` runs. */
export type RenderGate = {
  run<T>(pixels: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly stats: { readonly running: number; readonly waiting: number; readonly pixels: number };
};

type Waiter = { readonly pixels: number; readonly start: () => void; readonly fail: (err: unknown) => void };

/** The typed "busy" error: code `rate_limited`, `details.retryAfterSeconds` for the Retry-After header. */
export function busyError(retryAfterSeconds: number): FerryError {
  return new FerryError(
    appError('rate_limited', 'The local cloud is busy rendering other images; try again shortly.', { details: { retryAfterSeconds } }),
  );
}

/** Builds a gate (tests use their own; the local cloud shares {@link renderGate}). */
export function createRenderGate(opts: RenderGateOptions = {}): RenderGate {
  const slots = Math.max(1, opts.slots ?? os.availableParallelism());
  const budget = Math.max(1, opts.pixelBudget ?? DEFAULT_MAX_PIXELS);
  const maxWaiting = Math.max(0, opts.maxWaiting ?? slots * 8);
  const retryAfter = opts.retryAfterSeconds ?? 2;
  const queue: Waiter[] = [];
  let running = 0;
  let inUse = 0;

  // A render bigger than the whole budget still runs, alone.
  const weigh = (pixels: number): number => Math.min(budget, Math.max(1, pixels));
  const fits = (pixels: number): boolean => running === 0 || (running < slots && inUse + pixels <= budget);
  const admit = (weight: number): void => {
    running += 1;
    inUse += weight;
  };
  const pump = (): void => {
    // Strict FIFO: the head waits for room even if a later, smaller render would fit.
    while (queue.length > 0 && fits(queue[0]?.pixels ?? 0)) queue.shift()?.start();
  };

  return {
    async run(pixels, fn, signal) {
      const weight = weigh(pixels);
      if (signal?.aborted) throw new FerryError(appError('aborted', 'The image render was canceled.'));
      if (queue.length === 0 && fits(weight)) admit(weight);
      else {
        if (queue.length >= maxWaiting) throw busyError(retryAfter);
        await new Promise<void>((resolve, reject) => {
          const waiter: Waiter = {
            pixels: weight,
            // Counted here, synchronously, so the pump loop sees the slot as taken.
            start: () => {
              admit(weight);
              signal?.removeEventListener('abort', onAbort);
              resolve();
            },
            fail: reject,
          };
          const onAbort = (): void => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            waiter.fail(new FerryError(appError('aborted', 'The image render was canceled.')));
            pump();
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          queue.push(waiter);
        });
      }
      try {
        return await fn();
      } finally {
        running -= 1;
        inUse -= weight;
        pump();
      }
    },
    get stats() {
      return { running, waiting: queue.length, pixels: inUse };
    },
  };
}

/** The process-wide gate every local-cloud render and image probe goes through. */
export const renderGate: RenderGate = createRenderGate();
