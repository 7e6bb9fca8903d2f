import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settle, startRig, type WatchRig } from './support.js';

describe('watch: symlink loops and dangling links (row 16)', () => {
  let rig: WatchRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig.close());

  it('2 real files → exactly 2 uploads; loops stopped, aliases de-duplicated, bad links reported, ready not blocked', async () => {
    const dir = path.join(rig.root, 'dir');
    await mkdir(dir);
    await writeFile(path.join(rig.root, 'a.txt'), 'real file a');
    await writeFile(path.join(dir, 'b.txt'), 'real file b');
    await symlink('..', path.join(dir, 'up')); // loop back to the root
    await symlink('nowhere.txt', path.join(rig.root, 'dangling')); // dangling
    await symlink('a.txt/inner', path.join(rig.root, 'file-as-dir')); // a file used as a folder
    await symlink('../a.txt', path.join(dir, 'alias.txt')); // a second path to a.txt
    await link(path.join(dir, 'b.txt'), path.join(dir, 'b-hardlink.txt')); // same (dev, ino)
    const outside = path.join(rig.base, 'outside.txt');
    await writeFile(outside, 'not in the watched folder');
    await symlink(outside, path.join(rig.root, 'outside-link.txt'));

    const id = await rig.addFolder();
    await settle(rig); // resolves only once chokidar reported ready

    const done = rig.doneByPath();
    expect([...done.keys()].sort()).toEqual(['watched/a.txt', 'watched/dir/b-hardlink.txt', 'watched/dir/b.txt'].filter((k) => done.has(k)).sort());
    const uploads = [...done.values()].flat();
    expect(uploads).toHaveLength(2);
    expect(done.get('watched/a.txt')).toHaveLength(1);
    expect(rig.app.engine.list()).toHaveLength(2);

    const view = rig.app.watch.list().find((f) => f.id === id)!;
    expect(view.watching).toBe(true);
    expect(view.uploaded).toBe(2);
    const messages = view.errors.map((e) => `${path.basename(e.path ?? '')}: ${e.message}`);
    expect(messages.some((m) => m.startsWith('dangling: Dangling link'))).toBe(true);
    expect(messages.some((m) => m.startsWith('file-as-dir: Broken link'))).toBe(true);
    expect(messages.some((m) => m.startsWith('up: Link to a folder inside'))).toBe(true);
    expect(messages.some((m) => m.startsWith('outside-link.txt: Link to a file outside'))).toBe(true);
  });
});
