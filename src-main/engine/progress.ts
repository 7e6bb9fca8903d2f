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

/** Speed is bytes over (about) the last WINDOW_MS: recent seconds only, so it follows changes. */
const WINDOW_MS = 3000;
/**
 * No speed is shown until an attempt has this much history: a resumed upload's first slices
 * leave in a burst (the bandwidth limiter's bucket is full after the pause), and a rate over a
 * few milliseconds would read hundreds of MB/s under a 4 MB/s limit.
 */
const MIN_SPAN_MS = 1500;
/** Stored samples are at least this far apart, so a fast upload keeps ~30 of them, not 10,000. */
const SAMPLE_GAP_MS = 100;

type Sample = { readonly t: number; readonly bytes: number };

/** Per job: the running attempt's samples and what earlier attempts had already sent. */
type Track = {
  /** Inside an attempt (status uploading). */
  inAttempt: boolean;
  /** Samples of this attempt, oldest first, ≥ SAMPLE_GAP_MS apart; empty until its first report. */
  samples: Sample[];
  /** The newest report (the last sample or newer). */
  head: Sample | null;
  /** Most bytes any earlier attempt of this job reached. */
  peak: number;
  /** This attempt re-sends bytes [resendFrom, resendTo) that earlier attempts had sent; none when to ≤ from. */
  resendFrom: number;
  resendTo: number;
};

export type ProgressTracker = {
  /**
   * Records a changed job. `stateChanged` (status kind changed) flushes on the next tick.
   * `bytesReported`: the change is the provider's byte report (default: when not a state change).
   */
  record(job: Job, stateChanged: boolean, bytesReported?: boolean): void;
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
 * held back behind the throttle. Speed is bytes moved over the last few seconds of the running
 * attempt (never bytes an earlier attempt had confirmed); ETA = remaining/speed.
 */
export function createProgressTracker(opts: {
  clock: Clock;
  intervalMs: number;
  timers?: Timers;
  lookup: (id: string) => Job | undefined;
  emit: (views: JobView[]) => void;
}): ProgressTracker {
  const timers = opts.timers ?? realTimers;
  const tracks = new Map<string, Track>();
  const dirty = new Set<string>();
  let timer: unknown = null;
  let timerDue = Infinity;
  let lastFlushAt = -Infinity;
  let closed = false;

  /**
   * Follows one job's bytes. An attempt's first report is its baseline: bytes confirmed by
   * earlier attempts were not sent now and must not count as speed. A baseline below what earlier
   * attempts reached means those bytes are being sent again (recorded so the row can say so).
   */
  const sample = (job: Job, reported: boolean): void => {
    const now = opts.clock.now();
    const kind = job.status.kind;
    if (kind === 'done' || kind === 'failed' || kind === 'canceled' || kind === 'duplicate') {
      tracks.delete(job.id);
      return;
    }
    let t = tracks.get(job.id);
    if (!t) {
      t = { inAttempt: false, samples: [], head: null, peak: job.bytesSent, resendFrom: 0, resendTo: 0 };
      tracks.set(job.id, t);
    }
    if (kind !== 'uploading') {
      t.inAttempt = false;
      // Queued at 0 B (a user retry, a changed file, "upload anyway"): a fresh start, nothing re-sent.
      t.peak = kind === 'queued' && job.bytesSent === 0 ? 0 : Math.max(t.peak, job.bytesSent);
      return;
    }
    if (!t.inAttempt) {
      // The `started` record still carries the previous attempt's bytes; wait for a real report.
      t.inAttempt = true;
      t.peak = Math.max(t.peak, job.bytesSent);
      t.samples = [];
      t.head = null;
      // Until the first report says where this attempt starts, assume nothing is re-sent.
      t.resendFrom = t.resendTo = t.peak;
      return;
    }
    // Other changes inside an attempt (trouble, a size patch) carry no new byte count.
    if (!reported) return;
    t.peak = Math.max(t.peak, job.bytesSent);
    t.resendFrom = Math.min(t.resendFrom, job.bytesSent);
    const head: Sample = { t: now, bytes: job.bytesSent };
    const last = t.samples.at(-1);
    if (t.head === null || !last || job.bytesSent < t.head.bytes) {
      // First report of the attempt (or a provider that started over inside it): the baseline.
      t.samples = [head];
      t.head = head;
      return;
    }
    t.head = head;
    if (now - last.t >= SAMPLE_GAP_MS) t.samples.push(head);
    // Keep one sample at or before the window's start so the rate spans the whole window.
    while (t.samples.length > 2 && (t.samples[1]?.t ?? now) <= now - WINDOW_MS) t.samples.shift();
  };

  /** Bytes per second over the window; 0 until the attempt has MIN_SPAN_MS of history. Decays when bytes stop. */
  const speedOf = (t: Track | undefined): number => {
    const first = t?.samples[0];
    if (!t?.head || !first) return 0;
    const span = Math.max(t.head.t, opts.clock.now()) - first.t;
    if (span < MIN_SPAN_MS) return 0;
    return Math.max(0, ((t.head.bytes - first.bytes) * 1000) / span);
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
    const t = tracks.get(job.id);
    const speedBps = job.status.kind === 'uploading' ? speedOf(t) : 0;
    const remaining = Math.max(0, job.size - job.bytesSent);
    const etaSeconds = speedBps > 0 ? remaining / speedBps : job.status.kind === 'done' ? 0 : null;
    const resentBytes = t?.head && job.status.kind === 'uploading' && job.bytesSent < t.resendTo ? t.resendTo - t.resendFrom : 0;
    const { sourcePath: _sourcePath, ...rest } = job;
    return { ...rest, speedBps, etaSeconds, ...(resentBytes > 0 ? { resentBytes } : {}) };
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
    record(job, stateChanged, bytesReported = !stateChanged) {
      sample(job, bytesReported);
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
      tracks.delete(id);
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
