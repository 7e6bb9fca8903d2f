import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { settle, startRig, type WatchRig } from './support.js';

/**
 * A watch folder's rules on real files, through the real app (watcher, engine, local cloud):
 * include and exclude globs, subfolders off, and the remote-path template. Every file is written
 * before the folder is added, so the first walk sees them all; `settle` waits until the watcher
 * and the engine are idle, i.e. until any file the rules let through has been uploaded. Only then
 * is the absence of the others asserted.
 */

let rig: WatchRig;
afterEach(async () => rig?.close());

async function put(rel: string, body = rel): Promise<void> {
  const file = path.join(rig.root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
}

const donePaths = (): string[] => [...rig.doneByPath().keys()].sort();

describe('watch rules on real files', () => {
  it('include and exclude globs pick the files, at any depth', async () => {
    rig = await startRig();
    for (const rel of ['a.jpg', 'b.png', 'skip.raw', 'sub/c.jpg', 'sub/deep/d.JPG', 'sub/deep/e.jpg', 'docs/notes.txt', 'docs/private/secret.txt', 'other/f.txt']) await put(rel);
    await rig.addFolder({ include: ['**/*.jpg', 'docs/**'], exclude: ['**/deep/e.jpg', 'docs/private/**'] });
    await settle(rig);
    // Globs match case-sensitively, as on a Linux disk: d.JPG is not *.jpg.
    expect(donePaths()).toEqual(['watched/a.jpg', 'watched/docs/notes.txt', 'watched/sub/c.jpg']);
    expect(rig.app.engine.list().map((j) => j.status.kind)).toEqual(['done', 'done', 'done']);
    const c = rig.doneByPath().get('watched/sub/c.jpg')![0]!;
    expect((await rig.stored(c)).toString()).toBe('sub/c.jpg');
  });

  it('subfolders off: only the folder’s own files, not those of its subfolders (created before or after)', async () => {
    rig = await startRig();
    for (const rel of ['top.txt', 'sub/inner.txt']) await put(rel);
    await rig.addFolder({ recursive: false });
    await settle(rig);
    await put('sub/later.txt');
    await put('late-top.txt');
    // The new top-level file is the positive signal: once it is uploaded, a file the watcher
    // took from the subfolder would have been too.
    await expect.poll(async () => {
      await settle(rig);
      return donePaths();
    }, { timeout: 30_000 }).toContain('watched/late-top.txt');
    await settle(rig);
    expect(donePaths()).toEqual(['watched/late-top.txt', 'watched/top.txt']);
  });

  it('the remote-path template names the uploads: folder, date from the file’s mtime (UTC), relative path', async () => {
    rig = await startRig();
    await put('trip/beach.jpg', 'sand');
    await put('cover.png', 'cover');
    const at = new Date(Date.UTC(2023, 6, 14, 12, 0));
    await utimes(path.join(rig.root, 'trip/beach.jpg'), at, at);
    await utimes(path.join(rig.root, 'cover.png'), at, at);
    await rig.addFolder({ remotePathTemplate: '{folder}/{yyyy}-{mm}/{path}' });
    await settle(rig);
    expect(donePaths()).toEqual(['watched/2023-07/cover.png', 'watched/2023-07/trip/beach.jpg']);
    const beach = rig.doneByPath().get('watched/2023-07/trip/beach.jpg')![0]!;
    expect(beach.name).toBe('beach.jpg');
    expect((await rig.stored(beach)).toString()).toBe('sand');
  });
});
