import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import { compileRules } from '../../src-main/watch/ignore.js';
import { createStabilityTracker } from '../../src-main/watch/stability.js';
import { watchFolder } from '../../src-main/watch/watcher.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { settle, sleep, startRig, until, type WatchRig } from './support.js';

/** Pre-populated files (override with FERRY_WATCH_SCALE; the 100k soak is `npm run soak:watch`). */
const FILES = Number(process.env.FERRY_WATCH_SCALE ?? 250);
/** Files for the discovery-layer check (no uploads, so it can be larger). */
const DISCOVERY_FILES = Number(process.env.FERRY_WATCH_DISCOVERY ?? 5000);
const BURST = Math.max(1, Math.round(FILES / 10));
const PER_DIR = 500;

async function populate(root: string, prefix: string, count: number): Promise<string[]> {
  const rels: string[] = [];
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, async (_, k) => {
        const n = i + k;
        const dir = `${prefix}-${Math.floor(n / PER_DIR)}`;
        await mkdir(path.join(root, dir), { recursive: true });
        // Unique content: the engine would (rightly) call equal bytes a duplicate.
        await writeFile(path.join(root, dir, `f${n}.txt`), `${prefix} file ${n}\n`);
        rels.push(`watched/${dir}/f${n}.txt`);
      }),
    );
  }
  return rels;
}

describe(`watch: many files (row 13, ${FILES} pre-populated + ${BURST} burst)`, () => {
  let rig: WatchRig;
  afterEach(async () => rig.close());

  it('discovered = created, each uploaded exactly once', async () => {
    // The journal fsyncs every job write; this test is about discovery, so jobs stay in memory.
    rig = await startRig({ store: createMemoryJobStore() });
    rig.app.engine.setFileConcurrency(8);
    const created = await populate(rig.root, 'pre', FILES);
    const id = await rig.addFolder();
    await settle(rig);
    created.push(...(await populate(rig.root, 'burst', BURST)));
    // The burst reaches the watcher through fs events, which may not have arrived yet when
    // `settle` first looks; wait until every burst file has a job, then let them finish.
    // Bounded, so a missed file fails below with the list of what is missing, not a timeout.
    const deadline = Date.now() + 90_000;
    while (rig.app.engine.list().length < created.length && Date.now() < deadline) await sleep(50);
    await settle(rig);

    const done = rig.doneByPath();
    const missing = created.filter((p) => !done.has(p));
    expect(missing, 'files never uploaded').toEqual([]);
    const duplicates = [...done.values()].filter((jobs) => jobs.length > 1).length;
    expect(duplicates).toBe(0);
    expect(done.size).toBe(created.length);
    expect([...done.keys()].sort()).toEqual([...created].sort());
    expect(rig.app.engine.list()).toHaveLength(created.length);
    expect(rig.app.watch.list().find((f) => f.id === id)?.uploaded).toBe(created.length);
  }, 120_000);
});

describe(`watch discovery at scale (row 13, ${DISCOVERY_FILES} pre-populated + ${DISCOVERY_FILES / 10} burst)`, () => {
  it('walk + chokidar + stability report each created file as stable exactly once', async () => {
    const base = await makeTempDir('ferry-watch-scale-');
    const root = path.join(base, 'watched');
    await mkdir(root);
    try {
      const created = await populate(root, 'pre', DISCOVERY_FILES);
      const stable = new Map<string, number>();
      const tracker = createStabilityTracker({
        windowMs: 300,
        onStable: (f) => stable.set(f.path, (stable.get(f.path) ?? 0) + 1),
        onGone: () => {},
        onUnreadable: () => {},
      });
      let ready = false;
      const rules = compileRules({ path: root, include: [], exclude: [], afterUpload: { kind: 'keep' } });
      const watcher = watchFolder(root, root, true, rules, {
        onFile: (p, seen) => {
          // Like the service: a file already declared stable with this version is not re-tracked.
          if (!stable.has(p)) tracker.track(p, seen);
        },
        onUnlink: (p) => tracker.forget(p),
        onProblem: () => {},
        onReady: () => (ready = true),
      });
      try {
        await until(() => ready && tracker.size === 0 && stable.size === created.length);
        created.push(...(await populate(root, 'burst', DISCOVERY_FILES / 10)));
        await until(() => tracker.size === 0 && stable.size === created.length);
        const want = new Set(created.map((rel) => path.join(base, rel)));
        expect([...stable.keys()].filter((p) => !want.has(p))).toEqual([]);
        expect([...stable.values()].filter((n) => n !== 1)).toEqual([]);
      } finally {
        tracker.close();
        await watcher.close();
      }
    } finally {
      await removeTempDir(base);
    }
  }, 60_000);
});
