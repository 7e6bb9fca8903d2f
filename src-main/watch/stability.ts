import { open, stat } from 'node:fs/promises';
import { errnoCode } from '../engine/file-system.js';
import type { Clock } from '../engine/ports.js';
import { realTimers, type Timers } from '../engine/progress.js';

/** What a settled file looked like when it was declared stable. */
export type StableFacts = {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly dev: number;
  readonly ino: number;
};

/**
 * The time the stability window is measured in (default: the wall clock and real timers). A test
 * hands in a clock it moves itself, so "the file held still for the window" never depends on how
 * fast a loaded machine runs the writer.
 */
export type WatchTime = { readonly clock: Clock; readonly timers: Timers };

const realTime: WatchTime = { clock: { now: () => Date.now() }, timers: realTimers };

/** Size and mtime as chokidar or a stat call reported them. */
export type Observation = { readonly size: number; readonly mtimeMs: number };

export type StabilityOptions = {
  /** How long size and mtime must stay unchanged (ms). Default 2000. */
  readonly windowMs?: number;
  /** Stat/open checks in flight at once; bounds file handles during a 100k-file catch-up. */
  readonly concurrency?: number;
  readonly time?: WatchTime;
  readonly onStable: (facts: StableFacts) => void;
  /** The file disappeared before it settled (a temp that was renamed away, a deleted file). */
  readonly onGone: (path: string) => void;
  /** The file exists but cannot be read (permission): reported once, not polled again. */
  readonly onUnreadable: (path: string, code: string) => void;
};

/** Tracks files until they stop changing. */
export type StabilityTracker = {
  /** Starts (or restarts, after a change) the wait for `path`. */
  track(path: string, seen?: Observation): void;
  forget(path: string): void;
  has(path: string): boolean;
  readonly size: number;
  close(): void;
};

type Entry = { gen: number; last: Observation | null };
type Due = { path: string; gen: number; at: number };

const RETRY_CODES = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE']);

/**
 * Stable-file detection without chokidar's awaitWriteFinish, which gives up on slow writers: a
 * file is stable once two observations one window apart agree on size and mtime and it can be
 * opened. A file that keeps changing is re-checked every window, forever; one that vanishes is
 * dropped. Because the window is constant, due checks form a FIFO, so a 100k-file catch-up costs
 * one array and one timer, not 100k timers.
 */
export function createStabilityTracker(opts: StabilityOptions): StabilityTracker {
  const windowMs = opts.windowMs ?? 2000;
  const limit = opts.concurrency ?? 32;
  const { clock, timers } = opts.time ?? realTime;
  const entries = new Map<string, Entry>();
  let queue: Due[] = [];
  let head = 0;
  let inFlight = 0;
  let timer: unknown = null;
  let closed = false;
  // One counter for all paths: a path forgotten and tracked again never matches a stale check.
  let generation = 0;

  const schedule = (path: string, entry: Entry) => {
    queue.push({ path, gen: entry.gen, at: clock.now() + windowMs });
    if (timer === null && inFlight < limit) arm();
  };

  function arm(): void {
    if (closed || timer !== null) return;
    const next = queue[head];
    if (!next) return;
    timer = timers.setTimeout(pump, Math.max(0, next.at - clock.now()));
  }

  function pump(): void {
    timer = null;
    const now = clock.now();
    while (!closed && inFlight < limit && head < queue.length) {
      const due = queue[head]!;
      if (due.at > now) break;
      head++;
      const entry = entries.get(due.path);
      if (!entry || entry.gen !== due.gen) continue; // superseded by a newer change
      inFlight++;
      void check(due.path, entry).finally(() => {
        inFlight--;
        if (timer === null) pump();
      });
    }
    // Compact now and then so the FIFO's memory follows the live set, not the history.
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    arm();
  }

  async function check(path: string, entry: Entry): Promise<void> {
    const gen = entry.gen;
    let facts;
    try {
      facts = await stat(path);
    } catch (thrown) {
      return settleError(path, gen, thrown);
    }
    if (entries.get(path)?.gen !== gen) return;
    if (!facts.isFile()) {
      entries.delete(path);
      return opts.onGone(path);
    }
    const now: Observation = { size: facts.size, mtimeMs: facts.mtimeMs };
    const prev = entry.last;
    entry.last = now;
    if (!prev || prev.size !== now.size || prev.mtimeMs !== now.mtimeMs) return schedule(path, entry);
    try {
      const handle = await open(path, 'r');
      await handle.close();
    } catch (thrown) {
      return settleError(path, gen, thrown);
    }
    if (entries.get(path)?.gen !== gen) return;
    entries.delete(path);
    opts.onStable({ path, size: facts.size, mtimeMs: facts.mtimeMs, dev: facts.dev, ino: facts.ino });
  }

  function settleError(path: string, gen: number, thrown: unknown): void {
    const entry = entries.get(path);
    if (!entry || entry.gen !== gen) return;
    const code = errnoCode(thrown) ?? 'EIO';
    if (RETRY_CODES.has(code)) return schedule(path, entry); // locked or out of handles: try later
    entries.delete(path);
    if (code === 'ENOENT' || code === 'ENOTDIR') opts.onGone(path);
    else opts.onUnreadable(path, code);
  }

  return {
    track(path, seen) {
      if (closed) return;
      const prev = entries.get(path);
      // The walk and chokidar may both report one file: a repeat with nothing new keeps its place.
      if (prev && (seen === undefined || (prev.last?.size === seen.size && prev.last.mtimeMs === seen.mtimeMs))) return;
      const entry: Entry = { gen: ++generation, last: seen ?? null };
      entries.set(path, entry);
      schedule(path, entry);
    },
    forget: (path) => void entries.delete(path),
    has: (path) => entries.has(path),
    get size() {
      return entries.size;
    },
    close() {
      closed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      entries.clear();
      queue = [];
      head = 0;
    },
  };
}
