import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { afterEach, describe, expect, it } from 'vitest';
import { compileRules } from '../../src-main/watch/ignore.js';
import { watchFolder, type FolderWatcher } from '../../src-main/watch/watcher.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { until } from './support.js';

/**
 * The safety nets behind chokidar: the folder is walked again on a timer, and a newly created
 * folder is walked again after it appears, so a file whose event was lost (inotify overflow, a
 * folder filled faster than its watch was set up) is still found. The watcher's `watch` seam hands
 * in a real chokidar watcher that loses the chosen `add`/`change` events, so only a re-walk can
 * find those files: remove a re-walk and its test fails.
 */

/** A real chokidar watcher whose file events for paths matching `lose` never reach the listener. */
function lossyWatch(lose: (p: string) => boolean): (root: string, options: ChokidarOptions) => FSWatcher {
  return (root, options) => {
    const real = watch(root, options);
    const on = real.on.bind(real);
    real.on = ((event: string, listener: (...args: unknown[]) => void) =>
      on(event as 'add', (event === 'add' || event === 'change' ? (p: string, ...rest: unknown[]) => {
        if (!lose(p)) listener(p, ...rest);
      } : listener) as never)) as FSWatcher['on'];
    return real;
  };
}

describe('re-walks find what chokidar lost', () => {
  let base = '';
  const watchers: FolderWatcher[] = [];
  afterEach(async () => {
    for (const w of watchers.splice(0)) await w.close();
    if (base) await removeTempDir(base);
    base = '';
  });

  async function makeRoot(): Promise<string> {
    base = await makeTempDir('ferry-watch-rescan-');
    const root = path.join(base, 'watched');
    await mkdir(root);
    return root;
  }

  async function start(root: string, rescanMs: number, seen: Map<string, number>, lose: (p: string) => boolean = () => false): Promise<void> {
    const rules = compileRules({ path: root, include: [], exclude: [], afterUpload: { kind: 'keep' } });
    let ready = false;
    watchers.push(
      watchFolder(
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
        { rescanMs, watch: lossyWatch(lose) },
      ),
    );
    await until(() => ready);
  }

  it('a file whose event is lost is found by the periodic re-walk, again each period', async () => {
    const root = await makeRoot();
    const seen = new Map<string, number>();
    const file = path.join(root, 'a.txt');
    // Every event for a.txt is lost: chokidar never tells; only walks can.
    await start(root, 300, seen, (p) => p === file);
    await writeFile(file, 'a');
    await until(() => (seen.get(file) ?? 0) >= 2);
    // The wait proved the repeats; what it did not prove is that walks report nothing else.
    expect([...seen.keys()]).toEqual([file]);
  });

  it('rescanMs 0 turns the re-walk off: a lost event stays lost while a re-walking watcher finds the file', async () => {
    const root = await makeRoot();
    const file = path.join(root, 'b.txt');
    const off = new Map<string, number>();
    const control = new Map<string, number>();
    await start(root, 0, off, (p) => p === file);
    await start(root, 300, control, (p) => p === file);
    await writeFile(file, 'b');
    // The positive signal: two re-walks of the same folder by the control watcher. A re-walk in
    // the rescanMs 0 watcher would have reported the file by now too.
    await until(() => (control.get(file) ?? 0) >= 2);
    expect(off.get(file)).toBeUndefined();
  });

  it('a folder created later is walked again after it appears (files written into it whose events are lost are found)', async () => {
    const root = await makeRoot();
    const seen = new Map<string, number>();
    const dir = path.join(root, 'new');
    // No periodic re-walk, and every file event inside the new folder is lost: only the
    // re-walks of a newly created folder can find these files.
    await start(root, 0, seen, (p) => p.startsWith(dir + path.sep));
    await mkdir(dir);
    const files = Array.from({ length: 20 }, (_, i) => path.join(dir, `f${i}.txt`));
    await Promise.all(files.map((f, i) => writeFile(f, `file ${i}`)));
    await until(() => files.every((f) => seen.has(f)));
    // The wait proved every file was found; the walk reports files only (not the folder itself).
    expect([...seen.keys()].sort()).toEqual([...files].sort());
  });
});
