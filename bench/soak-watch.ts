/**
 * Watch-folder soak (row 13 at full size): pre-populates FERRY_SOAK_FILES files (default 100k)
 * in 1,000-file folders, starts the discovery pipeline (walk + chokidar + stability + ledger
 * decision with hashing), then writes a 10 % burst after ready, and checks that every created
 * file was reported stable exactly once. Uploads are not included: the local cloud fsyncs each
 * object, so 100k uploads measure the disk, not the watcher (the end-to-end path is covered at
 * smaller size in test/watch/scale.test.ts). Prints times and peak RSS.
 *   npm run soak:watch        FERRY_SOAK_FILES=20000 npm run soak:watch
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decide } from '../src-main/watch/decide.js';
import { compileRules } from '../src-main/watch/ignore.js';
import { openLedger } from '../src-main/watch/ledger.js';
import { createStabilityTracker } from '../src-main/watch/stability.js';
import { watchFolder } from '../src-main/watch/watcher.js';

const FILES = Number(process.env.FERRY_SOAK_FILES ?? 100_000);
const BURST = Math.round(FILES / 10);
const silent = { info: () => {}, warn: () => {}, error: () => {} };
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

async function populate(root: string, prefix: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, async (_, k) => {
        const n = i + k;
        const dir = path.join(root, `${prefix}-${Math.floor(n / 1000)}`);
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, `f${n}.txt`);
        await writeFile(file, `${prefix} ${n}\n`);
        out.push(file);
      }),
    );
  }
  return out;
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 100));
};

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'ferry-soak-watch-'));
  const root = path.join(base, 'watched');
  await mkdir(root);
  const ledger = openLedger(base, silent);
  try {
    let t = Date.now();
    const created = await populate(root, 'pre', FILES);
    console.log(`populated ${FILES} files in ${Date.now() - t} ms`);
    const seen = new Map<string, number>();
    let deciding = 0;
    const tracker = createStabilityTracker({
      windowMs: 500,
      onStable: (facts) => {
        seen.set(facts.path, (seen.get(facts.path) ?? 0) + 1);
        deciding++;
        void decide(ledger, 'soak', facts, new Map()).finally(() => deciding--);
      },
      onGone: () => {},
      onUnreadable: (p, code) => console.error('unreadable', p, code),
    });
    let ready = false;
    const rules = compileRules({ path: root, include: [], exclude: [], afterUpload: { kind: 'keep' } });
    t = Date.now();
    const watcher = watchFolder(root, root, true, rules, {
      onFile: (p, obs) => {
        if (!seen.has(p)) tracker.track(p, obs);
      },
      onUnlink: (p) => tracker.forget(p),
      onProblem: (p, m) => console.error('problem', p, m),
      onReady: () => (ready = true),
    });
    await until(() => ready);
    console.log(`ready after ${Date.now() - t} ms`);
    await until(() => tracker.size === 0 && deciding === 0 && seen.size >= created.length);
    console.log(`pre-populated: ${seen.size} stable in ${Date.now() - t} ms`);
    t = Date.now();
    created.push(...(await populate(root, 'burst', BURST)));
    await until(() => tracker.size === 0 && deciding === 0 && seen.size >= created.length);
    console.log(`burst of ${BURST}: all stable ${Date.now() - t} ms after the first write`);
    await watcher.close();
    tracker.close();
    const want = new Set(created);
    const missing = created.filter((p) => !seen.has(p)).length;
    const extra = [...seen.keys()].filter((p) => !want.has(p)).length;
    const dup = [...seen.values()].filter((n) => n > 1).length;
    console.log(`created ${created.length}, discovered ${seen.size}, missing ${missing}, extra ${extra}, duplicates ${dup}`);
    console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    if (missing || extra || dup) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    ledger.close();
    await rm(base, { recursive: true, force: true });
  }
}

await main();
