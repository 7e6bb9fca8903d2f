import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { settle, sleep, startRig, until, type WatchRig } from './support.js';

const exists = (p: string) => access(p).then(() => true, () => false);

describe('watch: renames, restarts and catch-up (rows 18, restart)', () => {
  let rig: WatchRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it('mv a.jpg b.jpg after upload → 0 new uploads, the ledger shows the new path', async () => {
    const id = await rig.addFolder();
    const a = path.join(rig.root, 'a.jpg');
    const b = path.join(rig.root, 'b.jpg');
    await writeFile(a, 'pretend jpeg bytes');
    await settle(rig);
    expect(rig.app.engine.list()).toHaveLength(1);

    await rename(a, b);
    await sleep(100);
    await settle(rig);
    expect(rig.app.engine.list()).toHaveLength(1);
    const ledger = rig.app.watch.ledger();
    expect(ledger.byPath(id, a)).toBeUndefined();
    expect(ledger.byPath(id, b)?.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('a rename while Ferry was stopped is recognised on start, too', async () => {
    const id = await rig.addFolder();
    const a = path.join(rig.root, 'a.jpg');
    await writeFile(a, 'bytes renamed while closed');
    await settle(rig);
    await rig.app.watch.stop();
    await rename(a, path.join(rig.root, 'sub-renamed.jpg'));
    await rig.app.watch.start();
    await settle(rig);
    expect(rig.app.engine.list()).toHaveLength(1);
    expect(rig.app.watch.ledger().byPath(id, path.join(rig.root, 'sub-renamed.jpg'))).toBeDefined();
  });

  it('files written while stopped are uploaded exactly once after restart; earlier ones are not re-uploaded', async () => {
    await rig.addFolder();
    for (let i = 0; i < 3; i++) await writeFile(path.join(rig.root, `before-${i}.txt`), `before ${i}`);
    await settle(rig);
    expect(rig.app.engine.list()).toHaveLength(3);

    await rig.app.watch.stop();
    for (let i = 0; i < 5; i++) await writeFile(path.join(rig.root, `while-stopped-${i}.txt`), `while stopped ${i}`);
    await sleep(100);
    expect(rig.app.engine.list()).toHaveLength(3);

    await rig.app.watch.start();
    await settle(rig);
    const done = rig.doneByPath();
    expect(done.size).toBe(8);
    for (const jobs of done.values()) expect(jobs).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      const job = done.get(`watched/while-stopped-${i}.txt`)![0]!;
      expect((await rig.stored(job)).toString()).toBe(`while stopped ${i}`);
    }
    // A second restart with nothing new uploads nothing.
    await rig.app.watch.stop();
    await rig.app.watch.start();
    await settle(rig);
    expect(rig.app.engine.list()).toHaveLength(8);
  });

  it('the folder list survives a restart of the service', async () => {
    const id = await rig.addFolder({ include: ['**/*.txt'], recursive: false });
    await rig.app.watch.stop();
    await rig.app.watch.start();
    const folders = rig.app.watch.list();
    expect(folders.map((f) => [f.id, f.include, f.recursive])).toEqual([[id, ['**/*.txt'], false]]);
  });
});

describe('watch: after-upload actions run only after a verified upload', () => {
  let rig: WatchRig;
  afterEach(async () => rig.close());

  it('move: the file goes to the target folder (never overwriting) once done', async () => {
    rig = await startRig();
    const target = path.join(rig.base, 'uploaded');
    await mkdir(target);
    await writeFile(path.join(target, 'p.txt'), 'an older file already there');
    await rig.addFolder({ afterUpload: { kind: 'move', to: target } });
    await writeFile(path.join(rig.root, 'p.txt'), 'the new photo');
    await settle(rig);
    // As for delete: on a loaded machine the watcher may report the file after settle's first look.
    await until(async () => !(await exists(path.join(rig.root, 'p.txt'))));
    expect((await readdir(target)).sort()).toEqual(['p (1).txt', 'p.txt']);
    expect(await readFile(path.join(target, 'p.txt'), 'utf8')).toBe('an older file already there');
    expect(await readFile(path.join(target, 'p (1).txt'), 'utf8')).toBe('the new photo');
    const done = rig.doneByPath().get('watched/p.txt')!;
    expect((await rig.stored(done[0]!)).toString()).toBe('the new photo');
  });

  it('delete: the file is removed once done', async () => {
    rig = await startRig();
    await rig.addFolder({ afterUpload: { kind: 'delete' } });
    await writeFile(path.join(rig.root, 'gone.txt'), 'delete me after upload');
    await settle(rig);
    expect(rig.doneByPath().get('watched/gone.txt')).toHaveLength(1);
    await until(async () => !(await exists(path.join(rig.root, 'gone.txt'))));
  });

  it('a failing destination leaves the file in place', async () => {
    const cloud = await startRig();
    try {
      // A Filestack destination whose key the local cloud refuses: the job can never reach `done`.
      rig = await startRig({
        providers: () => ({
          filestack: createFilestackProvider({
            kind: 'filestack',
            apikey: 'WrongKeyWrongKey0000',
            uploadBase: cloud.app.localCloud.baseUrl,
            cdnBase: cloud.app.localCloud.baseUrl,
            fileApiBase: cloud.app.localCloud.baseUrl,
          }),
        }),
      });
      const id = await rig.addFolder({ destination: 'filestack', afterUpload: { kind: 'delete' } });
      const file = path.join(rig.root, 'keep-me.txt');
      await writeFile(file, 'must survive a failed upload');
      await until(() => rig.app.engine.list().some((j) => j.status.kind === 'failed' || j.status.kind === 'paused'));
      await sleep(300);
      expect(await exists(file)).toBe(true);
      expect(rig.app.engine.list().map((j) => j.status.kind)).not.toContain('done');
      const view = rig.app.watch.list().find((f) => f.id === id)!;
      expect(view.uploaded).toBe(0);
    } finally {
      await cloud.close();
    }
  });
});
