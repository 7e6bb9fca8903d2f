import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { appendFileSync, openSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalCloudHooks } from '../../src-main/localcloud/server.js';
import type { FaultRule } from '../support/fault-proxy.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { isCall, PART, partOf, providerFor, rejection, sourceOf, startRig, storedHandles, uploadContext, type Rig } from './rig.js';

/**
 * Reliability matrix row 6: the source changes between parts (append, truncate, same-size
 * rewrite, atomic replace). The change is made at a precise moment, while the server holds its
 * answer to part 1 (`beforePartAnswer`). The upload must abort with a typed `file_changed` and
 * never complete with mixed content.
 */

const SIZE = 2 * PART + 300_000;
let dir: string;
let file: string;
let rig: Rig | null = null;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-change-');
  file = path.join(dir, 'source.bin');
  await writeRandomFile(file, SIZE);
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

/** Same-size overwrite of a few bytes in the last part, in place (same inode, new mtime). */
function rewriteInPlace(target: string): void {
  const fd = openSync(target, 'r+');
  writeSync(fd, randomBytes(4096), 0, 4096, SIZE - 10_000);
  closeSync(fd);
}

const mutations: Record<string, { act: (target: string) => void; changed: string }> = {
  append: { act: (t) => appendFileSync(t, 'more bytes'), changed: 'size' },
  truncate: { act: (t) => truncateSync(t, SIZE - 50_000), changed: 'size' },
  'same-size rewrite': { act: rewriteInPlace, changed: 'mtime' },
  'atomic replace': {
    act: (t) => {
      writeFileSync(`${t}.new`, randomBytes(SIZE));
      renameSync(`${t}.new`, t);
    },
    changed: 'inode',
  },
};

/** Runs `act` once, while the server holds part 1's answer. */
function onPart1(act: () => void): LocalCloudHooks {
  let done = false;
  return {
    beforePartAnswer: async ({ part }) => {
      if (part !== 1 || done) return;
      done = true;
      act();
    },
  };
}

describe('row 6: the file changes during the upload', () => {
  for (const [name, m] of Object.entries(mutations)) {
    it(`${name} between parts → file_changed before the next part; never completed`, async () => {
      rig = await startRig(path.join(dir, 'cloud'), () => null, onPart1(() => m.act(file)));
      const err = await rejection(providerFor(rig, { partConcurrency: 1 }).upload(sourceOf(file, SIZE), uploadContext()));
      expect(err.code).toBe('file_changed');
      expect(err.details?.changed).toBe(m.changed);
      expect(err.details?.stage).toBe('part 2');
      expect(rig.proxy.log.filter((e) => partOf(e) === 2)).toEqual([]);
      expect(rig.proxy.log.filter((e) => isCall(e, 'complete'))).toEqual([]);
      expect(await storedHandles(rig)).toEqual([]);
    });

    it(`${name} after every part was read (parallel parts) → caught before complete`, async () => {
      rig = await startRig(path.join(dir, 'cloud'), () => null, onPart1(() => m.act(file)));
      const err = await rejection(providerFor(rig, { partConcurrency: 3 }).upload(sourceOf(file, SIZE), uploadContext()));
      expect(err.code).toBe('file_changed');
      expect(rig.proxy.log.filter((e) => isCall(e, 'complete'))).toEqual([]);
      expect(await storedHandles(rig)).toEqual([]);
    });
  }

  it('a re-read part whose bytes changed (mtime put back) is caught by its hash', async () => {
    const before = statSync(file);
    let fired = false;
    // Part 2's first PUT is cut off; before it is re-read, its bytes change and the mtime is restored.
    const rule: FaultRule = (req) => {
      if (fired || req.method !== 'PUT' || !/^\/s3\/[^/]+\/2\?/.test(req.url)) return null;
      fired = true;
      const fd = openSync(file, 'r+');
      writeSync(fd, randomBytes(1024), 0, 1024, PART + 100);
      closeSync(fd);
      utimesSync(file, before.atime, before.mtime);
      return { kind: 'reset-after', bytes: 0 };
    };
    rig = await startRig(path.join(dir, 'cloud'), rule);
    const err = await rejection(providerFor(rig, { partConcurrency: 1 }).upload(sourceOf(file, SIZE), uploadContext()));
    expect(err.code).toBe('file_changed');
    // The hash is compared first; a restored mtime may still differ below the microsecond.
    expect(['part-hash', 'mtime']).toContain(err.details?.changed);
    expect(rig.proxy.log.filter((e) => partOf(e) === 2).map((e) => e.fault)).toEqual(['reset-after']);
    expect(await storedHandles(rig)).toEqual([]);
  });
});

describe('row 6 through the engine: a changed file is re-queued once it settles', () => {
  it('appended during the upload → paused as unstable, then exactly one re-upload of the final content', async () => {
    const parts1 = { n: 0 };
    rig = await startRig(path.join(dir, 'cloud'), () => null, {
      beforePartAnswer: async ({ part }) => {
        if (part === 1) parts1.n += 1;
        // Only the first attempt's part 1: the writer appends, then stops (the file settles).
        if (part === 1 && parts1.n === 1) appendFileSync(file, 'appended while uploading');
      },
    });
    const engine = createEngine({
      providers: { local: providerFor(rig, { partConcurrency: 1 }) },
      store: createMemoryJobStore(),
      clock: { now: () => Date.now() },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      defaultDestination: 'local',
      settleMs: 300,
    });
    try {
      const seen: string[] = [];
      engine.on('jobs:updated', ({ jobs }) => jobs.forEach((j) => seen.push(j.status.kind === 'paused' ? `paused:${j.status.reason}` : j.status.kind)));
      const { jobIds } = await engine.addPaths([file]);
      const id = jobIds[0] ?? '';
      await expect.poll(() => engine.get(id)?.status.kind, { timeout: 20_000 }).toBe('done');
      expect(seen).toContain('paused:unstable');
      const job = engine.get(id);
      expect(job?.size).toBe(SIZE + 'appended while uploading'.length);
      expect(job?.attempts).toBe(2);
      expect(await storedHandles(rig)).toHaveLength(1);
      const [handle] = await storedHandles(rig);
      const stored = await readFile(path.join(dir, 'cloud', 'files', handle ?? ''));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(await sha256File(file));
    } finally {
      await engine.close();
    }
  });
});
