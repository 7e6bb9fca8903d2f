import { appendFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settle, sleep, startRig, type WatchRig } from './support.js';

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
    // The app's own 2 s window, not the tests' 300 ms: a loaded 2-core machine can stretch a
    // 200 ms sleep past 300 ms, which would make a mid-write upload the test's fault, not Ferry's.
    await rig.close();
    rig = await startRig({ watchStabilityMs: 2000 });
    await rig.addFolder();
    await settle(rig);
    const file = path.join(rig.root, 'slow.log');
    let expected = '';
    for (let i = 0; i < 15; i++) {
      const line = `line ${i}\n`;
      expected += line;
      await appendFile(file, line);
      await sleep(200);
    }
    await settle(rig);
    const jobs = rig.doneByPath().get('watched/slow.log') ?? [];
    expect(jobs).toHaveLength(1);
    expect((await rig.stored(jobs[0]!)).toString()).toBe(expected);
  });
});
