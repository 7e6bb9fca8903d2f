import { appendFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handTime, settle, sleep, startRig, until, type WatchRig } from './support.js';

describe('watch: editor temp files, atomic saves and slow writers (row 17)', () => {
  let rig: WatchRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it('ignores temp and lock files and uploads temp-then-rename once, as the final name', async () => {
    await rig.addFolder();
    await settle(rig);
    const r = (n: string) => path.join(rig.root, n);
    await writeFile(r('.x.txt.swp'), 'swap');
    await writeFile(r('x.txt~'), 'backup');
    await writeFile(r('~$x.docx'), 'office lock');
    await writeFile(r('a.crdownload'), 'partial download');
    await writeFile(r('.~lock.x.odt#'), 'lo lock');
    await writeFile(r('4913'), '');
    await writeFile(r('x.tmp'), 'final content of x');
    await rename(r('x.tmp'), r('x.txt'));
    await sleep(100);
    await settle(rig);

    const done = rig.doneByPath();
    expect([...done.keys()]).toEqual(['watched/x.txt']);
    expect(done.get('watched/x.txt')).toHaveLength(1);
    expect((await rig.stored(done.get('watched/x.txt')![0]!)).toString()).toBe('final content of x');
    expect(rig.app.engine.list()).toHaveLength(1);
  });

  it('an atomic save over an uploaded file uploads once per save', async () => {
    await rig.addFolder();
    const file = path.join(rig.root, 'doc.txt');
    await writeFile(file, 'version 0');
    await settle(rig);
    for (let v = 1; v <= 3; v++) {
      const tmp = path.join(rig.root, `.doc.txt.${v}.tmp`);
      await writeFile(tmp, `version ${v}`);
      await rename(tmp, file);
      await sleep(50);
      await settle(rig);
    }
    const jobs = rig.doneByPath().get('watched/doc.txt') ?? [];
    expect(jobs).toHaveLength(4);
    const contents = await Promise.all(jobs.map((j) => rig.stored(j).then(String)));
    expect(contents.sort()).toEqual(['version 0', 'version 1', 'version 2', 'version 3']);
    expect(rig.app.engine.list()).toHaveLength(4); // no temp file was ever queued
  });

  it('a slow writer (append every 200 ms for 3 s) is uploaded once, with the final content', async () => {
    // The app's 2 s window on a clock the test moves: the writer's 200 ms pauses are 200 ms of
    // that clock however long the machine takes, so a mid-write upload can only be Ferry's fault.
    const hand = handTime();
    await rig.close();
    rig = await startRig({ watchStabilityMs: 2000, watchStabilityTime: hand.time });
    await rig.addFolder();
    await settle(rig);
    const folderPending = () => rig.app.watch.list()[0]!.pending;
    const jobs = () => rig.app.engine.list().length;
    // One step of the clock, then wait for the tracker to act on it: its next check is scheduled,
    // a job was queued, or it let the file go (nothing settling or uploading).
    const tick = async () => {
      const before = jobs();
      hand.advance(200);
      await until(() => hand.pending() > 0 || jobs() > before || folderPending() === 0);
    };
    const file = path.join(rig.root, 'slow.log');
    let expected = '';
    for (let i = 0; i < 15; i++) {
      const line = `line ${i}\n`;
      expected += line;
      await appendFile(file, line);
      // The watcher has seen the new file: its window is running on the hand clock.
      if (i === 0) await until(() => hand.pending() > 0);
      await tick();
    }
    // The writer stopped: move the clock until the file settled, uploaded and nothing is left.
    while (folderPending() > 0 || rig.app.engine.list().some((j) => j.status.kind !== 'done')) await tick();
    // Two more windows of quiet: a late watcher event for an earlier append queues nothing new.
    for (let i = 0; i < 20; i++) await tick();
    await settle(rig);

    const all = rig.app.engine.list();
    expect(all.map((j) => [j.relativePath ?? j.name, j.status.kind])).toEqual([['watched/slow.log', 'done']]);
    expect((await rig.stored(all[0]!)).toString()).toBe(expected);
  });
});
