import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { storedSha256, startRig, type Rig } from './rig.js';

/**
 * The engine's answer to 429 through real HTTP: the whole app (engine, local destination) talks
 * to a local cloud behind the fault proxy, which refuses every request with 429 until the engine
 * has halved the files it sends at once. Then the refusals stop and the engine climbs back to the
 * configured number as uploads succeed, and every file arrives intact.
 */

const TARGET = 4;
const FILES = 16;
let dir: string;
let rig: Rig | null = null;
let app: FerryApp | null = null;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-engine-429-');
});
afterEach(async () => {
  await app?.close();
  app = null;
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
};

describe('engine: 429 halves the files at once, success brings them back', () => {
  it('through the fault proxy with real uploads', async () => {
    let refusing = true;
    rig = await startRig(path.join(dir, 'cloud'), () => (refusing ? { kind: 'status', status: 429, body: '{"error":"slow down"}' } : null));
    app = await createApp({
      dataDir: path.join(dir, 'data'),
      host: 'web',
      localCloudUrl: rig.proxy.url,
      allowedRoots: [dir],
      retry: { maxRetries: 6, baseDelayMs: 5, maxDelayMs: 40, jitter: 0 },
    });
    app.settings.set({ fileConcurrency: TARGET });
    const files: string[] = [];
    await mkdir(path.join(dir, 'src'));
    for (let i = 0; i < FILES; i++) {
      const file = path.join(dir, 'src', `f${String(i).padStart(2, '0')}.bin`);
      await writeRandomFile(file, 40_000 + i);
      files.push(file);
    }
    const levels: number[] = [];
    const engine = app.engine;
    const off = engine.on('jobs:updated', () => {
      const { current } = engine.concurrency();
      if (levels.at(-1) !== current) levels.push(current);
    });
    expect(engine.concurrency()).toEqual({ target: TARGET, current: TARGET });
    await engine.addPaths(files);

    // Every request is refused until an attempt gives up with rate_limited and the engine halves.
    await until(() => engine.concurrency().current < TARGET);
    // Halved (4 → 2), or halved again if several attempts gave up at once (2 → 1); the exact
    // halving is the scheduler's unit test.
    expect(engine.concurrency().current).toBeLessThanOrEqual(TARGET / 2);
    const refused = rig.proxy.log.filter((e) => e.status === 429).length;
    expect(refused).toBeGreaterThan(0);
    refusing = false;

    await until(() => engine.list().every((j) => j.status.kind === 'done' || j.status.kind === 'failed'));
    await engine.whenIdle();
    off();
    const jobs = engine.list();
    expect(jobs.map((j) => j.status.kind)).toEqual(Array(FILES).fill('done'));
    for (const job of jobs) {
      if (job.status.kind !== 'done') continue;
      const source = files.find((f) => path.basename(f) === job.name)!;
      expect(await storedSha256(rig, job.status.result.remoteId)).toBe(await sha256File(source));
    }
    // Down on the 429s (possibly more than once), then back up one step at a time to the target.
    expect(engine.concurrency()).toEqual({ target: TARGET, current: TARGET });
    const lowest = levels.indexOf(Math.min(...levels));
    expect(levels.slice(lowest)).toEqual(Array.from({ length: TARGET - levels[lowest]! + 1 }, (_, i) => levels[lowest]! + i));
  }, 60_000);
});
