import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandPaths, OUTSIDE_ROOTS } from '../../src-main/engine/expand-paths.js';
import { nodeFs, type EngineFs } from '../../src-main/engine/file-system.js';
import { expandStaged, newJob, originOf } from '../../src-main/engine/new-job.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** A system error as node:fs throws it (tests run as root, so chmod cannot make EACCES). */
const fsError = (code: string | undefined, p: string) => Object.assign(new Error(`${code ?? 'no code'}: ${p}`), code === undefined ? {} : { code });

/** The real file system with chosen calls failing on chosen paths. */
function faulty(faults: { stat?: Record<string, string | undefined>; readdir?: Record<string, string>; realpath?: Record<string, string> }): EngineFs {
  const fail = (table: Record<string, string | undefined> | undefined, p: string) => {
    if (table && p in table) throw fsError(table[p], p);
  };
  return {
    ...nodeFs,
    stat: async (p) => (fail(faults.stat, p), nodeFs.stat(p)),
    readdir: async (p) => (fail(faults.readdir, p), nodeFs.readdir(p)),
    realpath: async (p) => (fail(faults.realpath, p), nodeFs.realpath(p)),
  };
}

/** Lists folders backwards, so only the walk's own sort can put them in name order. */
const backwards: EngineFs = { ...nodeFs, readdir: async (p) => (await nodeFs.readdir(p)).sort().reverse() };

describe('expanding added paths into files', () => {
  let dir = '';
  const at = (...parts: string[]) => path.join(dir, ...parts);
  beforeEach(async () => {
    dir = await makeTempDir('ferry-expand-');
  });
  afterEach(() => removeTempDir(dir));

  it('walks a folder in name order, keeps "<folder>/<sub/path>" and sizes, and adds a loose file without a relative path', async () => {
    await mkdir(at('drop', 'sub'), { recursive: true });
    await writeFile(at('drop', 'b.txt'), 'bb');
    await writeFile(at('drop', 'a.txt'), 'a');
    await writeFile(at('drop', 'sub', 'c.txt'), 'ccc');
    await writeFile(at('loose.txt'), 'loose');
    const { files, skipped } = await expandPaths(backwards, [at('drop'), at('loose.txt')]);
    expect(files).toEqual([
      { path: at('drop', 'a.txt'), relativePath: 'drop/a.txt', size: 1 },
      { path: at('drop', 'b.txt'), relativePath: 'drop/b.txt', size: 2 },
      { path: at('drop', 'sub', 'c.txt'), relativePath: 'drop/sub/c.txt', size: 3 },
      { path: at('loose.txt'), relativePath: null, size: 5 },
    ]);
    expect(skipped).toEqual([]);
  });

  it('adds a file reachable twice (a hard link, the same path twice) once, and enters a folder reached again through a link once', async () => {
    await mkdir(at('drop'));
    await writeFile(at('drop', 'one.txt'), 'same inode');
    await link(at('drop', 'one.txt'), at('drop', 'two.txt'));
    await symlink(at('drop'), at('drop', 'loop'));
    const { files, skipped } = await expandPaths(nodeFs, [at('drop'), at('drop', 'one.txt')]);
    expect(files).toEqual([{ path: at('drop', 'one.txt'), relativePath: 'drop/one.txt', size: 10 }]);
    expect(skipped).toEqual([]);
  });

  it('skips what is not a regular file and names why: a device, a dangling link, a link loop, a path through a file', async () => {
    await mkdir(at('drop'));
    await writeFile(at('drop', 'ok.txt'), 'ok');
    await symlink('/dev/null', at('drop', 'device'));
    await symlink(at('nowhere'), at('drop', 'dangling'));
    await symlink(at('drop', 'self'), at('drop', 'self'));
    const { files, skipped } = await expandPaths(nodeFs, [at('drop'), '/dev/null', at('drop', 'ok.txt', 'x')]);
    expect(files.map((f) => f.relativePath)).toEqual(['drop/ok.txt']);
    expect(skipped).toEqual([
      { path: at('drop', 'dangling'), reason: 'not found' },
      { path: at('drop', 'device'), reason: 'not a regular file' },
      { path: at('drop', 'self'), reason: 'symlink loop' },
      { path: '/dev/null', reason: 'not a regular file' },
      { path: at('drop', 'ok.txt', 'x'), reason: 'not found' },
    ]);
  });

  it('reports a folder it cannot list and a path it cannot stat, by errno, and goes on with the rest', async () => {
    await mkdir(at('drop', 'locked'), { recursive: true });
    await mkdir(at('drop', 'open'));
    await writeFile(at('drop', 'open', 'f.txt'), 'f');
    for (const name of ['perm', 'io', 'odd', 'acces']) await writeFile(at('drop', `${name}.txt`), name);
    const fs = faulty({
      readdir: { [at('drop', 'locked')]: 'EACCES' },
      stat: { [at('drop', 'perm.txt')]: 'EPERM', [at('drop', 'acces.txt')]: 'EACCES', [at('drop', 'io.txt')]: 'EIO', [at('drop', 'odd.txt')]: undefined },
    });
    const { files, skipped } = await expandPaths(fs, [at('drop')]);
    expect(files.map((f) => f.relativePath)).toEqual(['drop/open/f.txt']);
    expect(skipped).toEqual([
      { path: at('drop', 'acces.txt'), reason: 'permission denied' },
      { path: at('drop', 'io.txt'), reason: 'EIO' },
      { path: at('drop', 'locked'), reason: 'permission denied' },
      { path: at('drop', 'odd.txt'), reason: 'unreadable' },
      { path: at('drop', 'perm.txt'), reason: 'permission denied' },
    ]);
  });

  it('with a gate, a file or folder is judged on its real path; a device is still "not a regular file"; an unresolvable path is skipped', async () => {
    await mkdir(at('inside', 'drop'), { recursive: true });
    await mkdir(at('outside'));
    await writeFile(at('outside', 'secret.txt'), 'secret');
    await writeFile(at('inside', 'drop', 'ok.txt'), 'ok');
    await writeFile(at('inside', 'drop', 'gone.txt'), 'vanishes between stat and realpath');
    await symlink(at('outside', 'secret.txt'), at('inside', 'drop', 'out.txt'));
    await symlink(at('outside'), at('inside', 'drop', 'out-dir'));
    const inside = at('inside');
    const gate = (real: string) => real.startsWith(inside + path.sep);
    const fs = faulty({ realpath: { [at('inside', 'drop', 'gone.txt')]: 'ENOENT' } });
    const { files, skipped } = await expandPaths(fs, [at('inside', 'drop'), '/dev/null'], gate);
    expect(files.map((f) => f.relativePath)).toEqual(['drop/ok.txt']);
    expect(skipped).toEqual([
      { path: at('inside', 'drop', 'gone.txt'), reason: 'not found' },
      { path: at('inside', 'drop', 'out-dir'), reason: OUTSIDE_ROOTS },
      { path: at('inside', 'drop', 'out.txt'), reason: OUTSIDE_ROOTS },
      { path: '/dev/null', reason: 'not a regular file' },
    ]);
  });

  it('staged files keep the relative path and name the host gave; a staged folder (even an empty one) or a missing file is skipped', async () => {
    await mkdir(at('stage', 'folder'), { recursive: true });
    await mkdir(at('stage', 'empty'));
    await writeFile(at('stage', 'folder', 'inner.txt'), 'a folder is not one staged file');
    await writeFile(at('stage', '1'), 'one');
    await writeFile(at('stage', '2'), 'two!');
    const { found, skipped } = await expandStaged(nodeFs, [
      { path: at('stage', '1'), relativePath: 'trip/day1/photo.jpg', name: 'photo.jpg' },
      { path: at('stage', '2'), relativePath: null },
      { path: at('stage', 'folder'), relativePath: 'x/folder' },
      { path: at('stage', 'empty'), relativePath: 'x/empty' },
      { path: at('stage', 'missing'), relativePath: null },
    ]);
    expect(found).toStrictEqual([
      { path: at('stage', '1'), relativePath: 'trip/day1/photo.jpg', size: 3, name: 'photo.jpg' },
      { path: at('stage', '2'), relativePath: null, size: 4 },
    ]);
    expect(skipped).toEqual([
      { path: at('stage', 'folder'), reason: 'not a regular file' },
      { path: at('stage', 'empty'), reason: 'not a regular file' },
      { path: at('stage', 'missing'), reason: 'not found' },
    ]);
  });
});

describe('a new job and its batch', () => {
  it('keeps the caller batch and watch folder; without them each call is a fresh batch and no watch folder key', () => {
    expect(originOf({ batchId: 'b-1', watchFolderId: 'w-1' })).toStrictEqual({ batchId: 'b-1', watchFolderId: 'w-1' });
    expect(originOf({ batchId: 'b-2' })).toStrictEqual({ batchId: 'b-2' });
    const [a, b] = [originOf(undefined), originOf({})];
    expect(Object.keys(a)).toEqual(['batchId']);
    expect(a.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.batchId).not.toBe(a.batchId);
  });

  it('is queued with sanitised names, the origin carried over, and a watch folder only when there is one', () => {
    const file = { path: '/x/drop/a:b.txt', relativePath: 'drop/a:b.txt', size: 7 };
    const job = newJob(file, 'local', 1000, { batchId: 'b', watchFolderId: 'w' });
    expect(job).toMatchObject({ batchId: 'b', watchFolderId: 'w', sourcePath: '/x/drop/a:b.txt', size: 7, destination: 'local', status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: 1000, updatedAt: 1000 });
    expect(job.name).not.toContain(':');
    expect(job.relativePath).toBe(`drop/${job.name}`);
    const plain = newJob({ ...file, relativePath: null, name: 'kept.txt' }, 'local', 1000, { batchId: 'b' });
    expect('watchFolderId' in plain).toBe(false);
    expect([plain.name, plain.relativePath]).toEqual(['kept.txt', null]);
  });
});
