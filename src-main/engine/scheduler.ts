import PQueue from 'p-queue';
import { appError, FerryError } from '../../src-shared/errors.js';

/** Successes in a row, after a 429 lowered file concurrency, before one more slot comes back. */
export const RECOVER_AFTER_SUCCESSES = 2;
export const MIN_FILE_CONCURRENCY = 1;
export const MAX_FILE_CONCURRENCY = 16;

export type MoveTarget = { readonly before?: string; readonly toTop?: boolean };

/** Queue order and file concurrency for the engine (see createScheduler). */
export type Scheduler = {
  /** Registers a new job id at the end of the order. */
  track(id: string): void;
  /** Forgets an id entirely (job removed). */
  forget(id: string): void;
  /** Marks a job ready to run; it starts when a slot frees and no job ahead of it is ready. */
  enqueue(id: string): void;
  /** Takes a job out of the ready set (paused, canceled). */
  drop(id: string): void;
  /** Moves a job before another one, or to the top. Throws not_found / bad_request. */
  move(id: string, to: MoveTarget): void;
  /** Every tracked id, first to run first. */
  order(): readonly string[];
  /** The configured number of files at once (the ceiling recovery climbs back to). */
  setTarget(n: number): void;
  /** A 429: halve the running file concurrency (at least 1) until uploads succeed again. */
  rateLimited(): void;
  /** A file finished: after a few in a row, one lowered slot comes back. */
  succeeded(): void;
  concurrency(): { target: number; current: number };
  /** Drops every waiting slot (shutdown). */
  clear(): void;
  onIdle(): Promise<void>;
};

/**
 * Orders jobs with our own list instead of p-queue priorities: p-queue only supplies
 * `current` slots, and each slot picks the first ready job in `order` when it starts. Reordering
 * is then just moving an id in a list, and a job paused while waiting never wastes a slot.
 */
export function createScheduler(opts: {
  readonly target: number;
  readonly run: (id: string) => Promise<void>;
  /** Still runnable (queued or due retry)? Ids that are not are skipped when a slot starts. */
  readonly isReady: (id: string) => boolean;
  readonly onError: (id: string | null, error: unknown) => void;
}): Scheduler {
  let target = clampConcurrency(opts.target);
  let current = target;
  let streak = 0;
  const queue = new PQueue({ concurrency: current });
  const order: string[] = [];
  /** Position of each id in `order` (rebuilt when the order changes, which is rare). */
  const pos = new Map<string, number>();
  const ready = new Set<string>();
  /** No id before this position is ready: a slot starts looking here, not at the top of 10,000 done jobs. */
  let scanFrom = 0;
  const reindex = (): void => {
    pos.clear();
    order.forEach((id, i) => pos.set(id, i));
    scanFrom = 0;
  };

  const apply = (n: number): void => {
    current = n;
    queue.concurrency = n;
  };

  const pick = (): string | null => {
    for (let i = scanFrom; i < order.length; i++) {
      const id = order[i] as string;
      const isReady = ready.delete(id);
      if (i === scanFrom) scanFrom = i + 1;
      if (isReady && opts.isReady(id)) return id;
    }
    return null;
  };

  const slot = async (): Promise<void> => {
    const id = pick();
    if (id !== null) await opts.run(id);
  };

  const indexOf = (id: string): number => {
    const i = pos.get(id);
    if (i === undefined) throw new FerryError(appError('not_found', `No job with id ${id}.`, { retryable: false }));
    return i;
  };

  return {
    track(id) {
      if (pos.has(id)) return;
      pos.set(id, order.length);
      order.push(id);
    },
    forget(id) {
      ready.delete(id);
      const i = pos.get(id);
      if (i === undefined) return;
      order.splice(i, 1);
      reindex();
    },
    enqueue(id) {
      ready.add(id);
      scanFrom = Math.min(scanFrom, pos.get(id) ?? 0);
      queue.add(slot).catch((thrown: unknown) => opts.onError(id, thrown));
    },
    drop(id) {
      ready.delete(id);
    },
    move(id, to) {
      if (to.before === undefined && to.toTop !== true) {
        throw new FerryError(appError('bad_request', 'Say where to move the job: before another job, or to the top.', { retryable: false }));
      }
      if (to.before === id) return;
      const from = indexOf(id);
      if (to.before !== undefined) indexOf(to.before); // validate before changing anything
      order.splice(from, 1);
      order.splice(to.before === undefined ? 0 : order.indexOf(to.before), 0, id);
      reindex();
    },
    order: () => [...order],
    setTarget(n) {
      target = clampConcurrency(n);
      streak = 0;
      // The user's explicit choice wins over an earlier 429; a new 429 lowers it again.
      apply(target);
    },
    rateLimited() {
      streak = 0;
      apply(Math.max(MIN_FILE_CONCURRENCY, Math.floor(current / 2)));
    },
    succeeded() {
      if (current >= target) return;
      if (++streak < RECOVER_AFTER_SUCCESSES) return;
      streak = 0;
      apply(current + 1);
    },
    concurrency: () => ({ target, current }),
    clear: () => {
      ready.clear();
      queue.clear();
    },
    onIdle: () => queue.onIdle(),
  };
}

function clampConcurrency(n: number): number {
  if (!Number.isFinite(n)) return 2;
  return Math.min(MAX_FILE_CONCURRENCY, Math.max(MIN_FILE_CONCURRENCY, Math.floor(n)));
}
