/**
 * A bounded disk cache of expensive media outputs (transcodes, frames, HLS sets) with the work
 * that makes them bounded too:
 * - one producer per key at a time: concurrent requests for the same output share it;
 * - at most `maxConcurrent` producers run, at most `maxQueued` wait; beyond that a typed
 *   `rate_limited` error (the front end answers 429 with Retry-After);
 * - a producer whose every waiting request went away is aborted (its ffmpeg is killed), so a
 *   client cannot leave expensive work running by hanging up;
 * - outputs are written to a temp name and renamed into place, so a half-written file is never
 *   served; the least recently used outputs are deleted once the cache is over `maxBytes`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { appError, FerryError } from '../../../src-shared/errors.js';

/** Bounds of {@link createMediaCache}. */
export type MediaCacheOptions = {
  /** Folder the outputs live in (created). */
  readonly dir: string;
  /** Most bytes kept on disk; default 1 GiB. An output larger than this is served once, then dropped. */
  readonly maxBytes?: number;
  /** Producers running at once; default 1 (ffmpeg already uses every core). */
  readonly maxConcurrent?: number;
  /** Producers waiting for a slot; default 8. */
  readonly maxQueued?: number;
};

/** Writes the output at `out` (a file, or a folder it creates); must honour `signal`. */
export type Producer = (out: string, signal: AbortSignal) => Promise<void>;

export type MediaCache = {
  /**
   * The path of the output named `key` (plus `ext`, e.g. `.mp4`, or '' for a folder), producing
   * it first when it is not cached. `waiter` is the asking request's signal: when every waiter
   * of a running producer has aborted, the producer is aborted too.
   */
  get(key: string, ext: string, produce: Producer, waiter?: AbortSignal): Promise<string>;
  readonly stats: { readonly entries: number; readonly bytes: number; readonly running: number; readonly queued: number };
};

type Entry = { bytes: number; used: number };
type Job = { promise: Promise<string>; controller: AbortController; waiters: number };

async function sizeOf(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await readdir(p)) total += await sizeOf(path.join(p, name));
  return total;
}

const aborted = (): FerryError => new FerryError(appError('aborted', 'Every request waiting for this media output went away.'));

/** Opens the cache, indexing what an earlier run left (and removing its unfinished temp outputs). */
export async function createMediaCache(options: MediaCacheOptions): Promise<MediaCache> {
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
  const maxQueued = Math.max(0, options.maxQueued ?? 8);
  const dir = options.dir;
  await mkdir(dir, { recursive: true });
  const entries = new Map<string, Entry>();
  let bytes = 0;
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    if (name.startsWith('tmp-')) await rm(p, { recursive: true, force: true });
    else {
      const b = await sizeOf(p).catch(() => 0);
      entries.set(name, { bytes: b, used: 0 });
      bytes += b;
    }
  }
  const jobs = new Map<string, Job>();
  let running = 0;
  const waiting: (() => void)[] = [];

  const evict = async (keep: string): Promise<void> => {
    const oldest = [...entries.entries()].filter(([n]) => n !== keep && !jobs.has(n)).sort((a, b) => a[1].used - b[1].used);
    for (const [name, e] of oldest) {
      if (bytes <= maxBytes) break;
      entries.delete(name);
      bytes -= e.bytes;
      await rm(path.join(dir, name), { recursive: true, force: true });
    }
  };

  const slot = (signal: AbortSignal): Promise<void> => {
    if (running < maxConcurrent) {
      running += 1;
      return Promise.resolve();
    }
    if (waiting.length >= maxQueued) {
      return Promise.reject(new FerryError(appError('rate_limited', 'The local cloud is busy with other video work; try again shortly.', { details: { retryAfterSeconds: 5 } })));
    }
    return new Promise<void>((resolve, reject) => {
      const go = (): void => {
        signal.removeEventListener('abort', leave);
        running += 1;
        resolve();
      };
      const leave = (): void => {
        const i = waiting.indexOf(go);
        if (i >= 0) waiting.splice(i, 1);
        reject(aborted());
      };
      waiting.push(go);
      signal.addEventListener('abort', leave, { once: true });
    });
  };
  const release = (): void => {
    running -= 1;
    const next = waiting.shift();
    if (next) next();
  };

  const produceInto = async (name: string, produce: Producer, signal: AbortSignal): Promise<string> => {
    await slot(signal);
    const tmp = path.join(dir, `tmp-${randomBytes(6).toString('hex')}-${name}`);
    try {
      await produce(tmp, signal);
      if (signal.aborted) throw aborted();
      const final = path.join(dir, name);
      await rename(tmp, final);
      const b = await sizeOf(final);
      entries.set(name, { bytes: b, used: Date.now() });
      bytes += b;
      await evict(name);
      return final;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    } finally {
      release();
    }
  };

  return {
    async get(key, ext, produce, waiter) {
      const name = createHash('sha256').update(key).digest('hex').slice(0, 40) + ext;
      const hit = entries.get(name);
      if (hit && !jobs.has(name)) {
        try {
          await stat(path.join(dir, name));
          hit.used = Date.now();
          return path.join(dir, name);
        } catch {
          // Deleted behind our back: forget it and produce it again.
          entries.delete(name);
          bytes -= hit.bytes;
        }
      }
      let job = jobs.get(name);
      // An aborted producer stays in `jobs` until its ffmpeg has exited and its temp output is
      // gone; a request arriving in that window must start afresh, not join a run that can only fail.
      if (!job || job.controller.signal.aborted) {
        const controller = new AbortController();
        const created: Job = { controller, waiters: 0, promise: produceInto(name, produce, controller.signal) };
        jobs.set(name, created);
        const forget = (): void => {
          if (jobs.get(name) === created) jobs.delete(name);
        };
        void created.promise.then(forget, forget);
        job = created;
      }
      const current = job;
      current.waiters += 1;
      const onAbort = (): void => {
        current.waiters -= 1;
        if (current.waiters === 0) current.controller.abort();
      };
      if (waiter?.aborted) onAbort();
      else waiter?.addEventListener('abort', onAbort, { once: true });
      try {
        return await current.promise;
      } finally {
        waiter?.removeEventListener('abort', onAbort);
      }
    },
    get stats() {
      return { entries: entries.size, bytes, running, queued: waiting.length };
    },
  };
}
