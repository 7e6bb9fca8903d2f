import type { Job, JobView } from '../../src-shared/model/job.js';
import type { Clock } from './ports.js';

/** Timer seam so tests can drive coalescing with a manual clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending progress flush must never keep the process alive on shutdown.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Smoothing time constant of the speed EWMA: recent seconds weigh most. */
const SPEED_TAU_MS = 2000;

type Rate = { lastAt: number; lastBytes: number; speedBps: number };

export type ProgressTracker = {
  /** Records a changed job. `stateChanged` (status kind changed) flushes on the next tick. */
  record(job: Job, stateChanged: boolean): void;
  /** The renderer view of a job, with the current speed and ETA. */
  view(job: Job): JobView;
  /** Drops a job's rate and any pending push for it. */
  forget(id: string): void;
  /** Pushes anything pending now. */
  flush(): void;
  close(): void;
};

/**
 * Coalesces job changes into `jobs:updated` pushes. Byte progress is pushed at most once per
 * `intervalMs` (so 1000 progress callbacks a second become ≤ 10 pushes); a status change is
 * pushed on the next tick, batched with everything else pending, so terminal states are never
 * held back behind the throttle. Speed is a time-weighted EWMA of bytes/s; ETA = remaining/speed.
 */
export function createProgressTracker(opts: {
  clock: Clock;
  intervalMs: number;
  timers?: Timers;
  lookup: (id: string) => Job | undefined;
  emit: (views: JobView[]) => void;
}): ProgressTracker {
  const timers = opts.timers ?? realTimers;
  const rates = new Map<string, Rate>();
  const dirty = new Set<string>();
  let timer: unknown = null;
  let timerDue = Infinity;
  let lastFlushAt = -Infinity;
  let closed = false;

  const sample = (job: Job): void => {
    const now = opts.clock.now();
    const rate = rates.get(job.id);
    if (job.status.kind !== 'uploading') {
      rates.delete(job.id);
      return;
    }
    if (!rate || job.bytesSent < rate.lastBytes) {
      // New attempt (or first sample): start measuring from here.
      rates.set(job.id, { lastAt: now, lastBytes: job.bytesSent, speedBps: rate?.speedBps ?? 0 });
      return;
    }
    const dt = now - rate.lastAt;
    // Samples within the same millisecond accumulate until time moves.
    if (dt <= 0) return;
    const instant = ((job.bytesSent - rate.lastBytes) * 1000) / dt;
    const alpha = rate.speedBps === 0 ? 1 : 1 - Math.exp(-dt / SPEED_TAU_MS);
    rate.speedBps = alpha * instant + (1 - alpha) * rate.speedBps;
    rate.lastAt = now;
    rate.lastBytes = job.bytesSent;
  };

  const schedule = (delay: number): void => {
    if (closed) return;
    const due = opts.clock.now() + delay;
    if (timer !== null && timerDue <= due) return;
    if (timer !== null) timers.clearTimeout(timer);
    timerDue = due;
    timer = timers.setTimeout(() => {
      timer = null;
      timerDue = Infinity;
      flush();
    }, delay);
  };

  const view = (job: Job): JobView => {
    const rate = rates.get(job.id);
    const speedBps = job.status.kind === 'uploading' && rate ? Math.max(0, rate.speedBps) : 0;
    const remaining = Math.max(0, job.size - job.bytesSent);
    const etaSeconds = speedBps > 0 ? remaining / speedBps : job.status.kind === 'done' ? 0 : null;
    const { sourcePath: _sourcePath, ...rest } = job;
    return { ...rest, speedBps, etaSeconds };
  };

  const flush = (): void => {
    if (dirty.size === 0) return;
    const views: JobView[] = [];
    for (const id of dirty) {
      const job = opts.lookup(id);
      if (job) views.push(view(job));
    }
    dirty.clear();
    lastFlushAt = opts.clock.now();
    if (views.length > 0) opts.emit(views);
  };

  return {
    record(job, stateChanged) {
      sample(job);
      dirty.add(job.id);
      if (stateChanged) {
        schedule(0);
      } else {
        const wait = Math.max(0, lastFlushAt + opts.intervalMs - opts.clock.now());
        schedule(wait);
      }
    },
    view,
    forget(id) {
      rates.delete(id);
      dirty.delete(id);
    },
    flush,
    close() {
      closed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      flush();
    },
  };
}
