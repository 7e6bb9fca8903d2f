import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRules } from '../../src-main/watch/ignore.js';
import { watchFolder, type FolderWatcher } from '../../src-main/watch/watcher.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { until } from './support.js';

/**
 * The safety net behind chokidar: the folder is walked again on a timer, so a file whose event
 * was lost (inotify overflow, a folder filled faster than its watch was set up) is still found.
 * A lost event cannot be forced here, so the tests show the re-walks themselves happen.
 */
describe('periodic re-walk', () => {
  let base = '';
  let watcher: FolderWatcher | null = null;
  afterEach(async () => {
    await watcher?.close();
    watcher = null;
    if (base) await removeTempDir(base);
  });

  async function start(rescanMs: number, seen: Map<string, number>) {
    base = await makeTempDir('ferry-watch-rescan-');
    const root = path.join(base, 'watched');
    await mkdir(root);
    const rules = compileRules({ path: root, include: [], exclude: [], afterUpload: { kind: 'keep' } });
    let ready = false;
    watcher = watchFolder(
      root,
      root,
      true,
      rules,
      {
        onFile: (p) => seen.set(p, (seen.get(p) ?? 0) + 1),
        onUnlink: () => undefined,
        onProblem: () => undefined,
        onReady: () => (ready = true),
      },
      { rescanMs },
    );
    await until(() => ready);
    return root;
  }

  it('reports existing files again every rescan period', async () => {
    const seen = new Map<string, number>();
    const root = await start(300, seen);
    const file = path.join(root, 'a.txt');
    await writeFile(file, 'a');
    await until(() => (seen.get(file) ?? 0) >= 1);
    const first = seen.get(file) ?? 0;
    // Nothing changes on disk: only the re-walk can report the file again.
    await until(() => (seen.get(file) ?? 0) >= first + 2);
    expect(seen.get(file)).toBeGreaterThanOrEqual(first + 2);
  });

  it('rescanMs 0 turns the re-walk off', async () => {
    const seen = new Map<string, number>();
    const root = await start(0, seen);
    const file = path.join(root, 'b.txt');
    await writeFile(file, 'b');
    await until(() => (seen.get(file) ?? 0) >= 1);
    const after = seen.get(file) ?? 0;
    await new Promise((r) => setTimeout(r, 1200));
    // chokidar may add one `change` for the write; no re-walk adds more.
    expect(seen.get(file) ?? 0).toBeLessThanOrEqual(after + 1);
  });

  it('a folder created later is walked again after it appears (files written into it are found)', async () => {
    const seen = new Map<string, number>();
    const root = await start(0, seen);
    const dir = path.join(root, 'new');
    await mkdir(dir);
    const files = Array.from({ length: 20 }, (_, i) => path.join(dir, `f${i}.txt`));
    await Promise.all(files.map((f, i) => writeFile(f, `file ${i}`)));
    await until(() => files.every((f) => seen.has(f)));
    expect(files.filter((f) => !seen.has(f))).toEqual([]);
  });
});
