import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobView } from '../../src-shared/model/job.js';
import type { WatchAddInput } from '../../src-main/watch/service.js';
import { createApp, type CreateAppOptions, type FerryApp } from '../../src-main/hosts/compose.js';
import type { WatchTime } from '../../src-main/watch/stability.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** Stability window used by the watch tests (the app default is 2 s). */
export const TEST_STABILITY_MS = 300;

/** A real app (engine + local cloud + watch service) over temp dirs. */
export type WatchRig = {
  readonly app: FerryApp;
  readonly dataDir: string;
  /** A folder the tests may watch (inside the app's allowed roots). */
  readonly root: string;
  readonly base: string;
  addFolder(input?: Partial<WatchAddInput>): Promise<string>;
  /** Jobs whose status is `done`, by remote relative path. */
  doneByPath(): Map<string, JobView[]>;
  /** Bytes the local cloud serves for a done job. */
  stored(job: JobView): Promise<Buffer>;
  close(): Promise<void>;
};

export async function startRig(extra: Partial<CreateAppOptions> = {}): Promise<WatchRig> {
  const base = await makeTempDir('ferry-watch-');
  const dataDir = path.join(base, 'data');
  const root = path.join(base, 'watched');
  await import('node:fs/promises').then((fs) => fs.mkdir(root, { recursive: true }));
  const app = await createApp({ dataDir, host: 'electron', allowedRoots: [base], watchStabilityMs: TEST_STABILITY_MS, ...extra });
  return {
    app,
    dataDir,
    root,
    base,
    async addFolder(input = {}) {
      const view = await app.watch.add({ path: root, ...input });
      return view.id;
    },
    doneByPath() {
      const out = new Map<string, JobView[]>();
      for (const job of app.engine.list()) {
        if (job.status.kind !== 'done') continue;
        const key = job.relativePath ?? job.name;
        out.set(key, [...(out.get(key) ?? []), job]);
      }
      return out;
    },
    async stored(job) {
      if (job.status.kind !== 'done') throw new Error(`job ${job.id} is ${job.status.kind}`);
      const res = await fetch(job.status.result.url);
      if (!res.ok) throw new Error(`GET ${job.status.result.url} → ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async close() {
      await app.close();
      await removeTempDir(base);
    },
  };
}

/** Waits until the watcher is idle and the engine has nothing running. */
export async function settle(rig: WatchRig): Promise<void> {
  await rig.app.watch.whenIdle();
  await rig.app.engine.whenIdle();
  await rig.app.watch.whenIdle();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it returns true (the test's own timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(50);
}

export const readText = (p: string): Promise<string> => readFile(p, 'utf8');

/**
 * The stability window's clock, moved by the test: a timer fires only when `advance` passes its
 * time, so "the file held still for the window" is decided by the test's writer, never by how
 * long a sleep took on a loaded machine.
 */
export function handTime() {
  let now = 1_000_000;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const time: WatchTime = {
    clock: { now: () => now },
    timers: {
      setTimeout(fn, ms) {
        pending.set(++seq, { at: now + ms, fn });
        return seq;
      },
      clearTimeout: (handle) => void pending.delete(handle as number),
    },
  };
  return {
    time,
    /** Timers waiting for the clock. */
    pending: () => pending.size,
    /** Moves the clock by `ms` and fires, in time order, every timer that came due. */
    advance(ms: number) {
      now += ms;
      const due = [...pending].filter(([, t]) => t.at <= now).sort(([, a], [, b]) => a.at - b.at);
      for (const [id, t] of due) {
        pending.delete(id);
        t.fn();
      }
    },
  };
}
