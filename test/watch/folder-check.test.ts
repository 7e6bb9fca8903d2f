import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, type AppError } from '../../src-shared/errors.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { checkWatchableFolder, folderProblem, typedFolderPath } from '../../src-main/watch/folder-check.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { TEST_STABILITY_MS, until } from './support.js';

/** What a person typing a watch folder gets back: the folder they meant, or a message in words. */

const errorOf = async (run: () => unknown): Promise<AppError> => {
  try {
    await run();
  } catch (thrown) {
    if (thrown instanceof FerryError) return thrown.error;
    throw thrown;
  }
  throw new Error('expected a FerryError');
};

let base: string;
beforeAll(async () => {
  base = await makeTempDir('ferry-folder-check-');
});
afterAll(async () => removeTempDir(base));

describe('typed folder paths', () => {
  it('reads ~ as home, trims spaces and normalises', () => {
    expect(typedFolderPath('~', 'folder', '/home/ann', 'linux')).toBe('/home/ann');
    expect(typedFolderPath('  ~/Pictures/ToUpload/ ', 'folder', '/home/ann', 'linux')).toBe('/home/ann/Pictures/ToUpload/');
    expect(typedFolderPath('/srv//scans/../inbox', 'folder', '/home/ann', 'linux')).toBe('/srv/inbox');
    expect(typedFolderPath('C:\\Users\\ann\\Scans', 'folder', 'C:\\Users\\ann', 'win32')).toBe('C:\\Users\\ann\\Scans');
  });

  it('answers a relative or empty path in words, with an example for the OS', async () => {
    const relative = await errorOf(() => typedFolderPath('Pictures/ToUpload', 'folder', '/home/ann', 'linux'));
    expect(relative).toMatchObject({ code: 'bad_request', retryable: false });
    expect(relative.message).toBe('"Pictures/ToUpload" is not a full path. Type the whole path of the folder, starting with /, for example /home/me/Pictures.');
    const windows = await errorOf(() => typedFolderPath('Scans', 'folder', 'C:\\Users\\ann', 'win32'));
    expect(windows.message).toContain('starting with the drive, for example C:\\Users\\me\\Pictures');
    expect((await errorOf(() => typedFolderPath('   ', 'folder', '/home/ann', 'linux'))).message).toBe('Type the full path of the folder, for example /home/me/Pictures.');
  });
});

describe('watchable folders', () => {
  it('a folder gives its real path; a missing path "does not exist"; a file "is a file"', async () => {
    const real = path.join(base, 'inbox');
    await mkdir(real);
    await expect(checkWatchableFolder(real)).resolves.toBe(real);
    const missing = await errorOf(() => checkWatchableFolder(path.join(base, 'nope')));
    expect(missing).toMatchObject({ code: 'not_found', details: { errno: 'ENOENT' } });
    expect(missing.message).toBe(`"${path.join(base, 'nope')}" does not exist. Check the spelling, or create the folder first.`);
    const file = path.join(base, 'scan.pdf');
    await writeFile(file, 'x');
    const isFile = await errorOf(() => checkWatchableFolder(file));
    expect(isFile).toMatchObject({ code: 'bad_request' });
    expect(isFile.message).toBe(`"${file}" is a file, not a folder. To watch the folder it is in, type ${base}.`);
    // A path that runs through a file.
    expect((await errorOf(() => checkWatchableFolder(path.join(file, 'inside')))).message).toContain('does not exist: part of that path is a file');
  });

  it('"is not readable" for a permission error (tests run as root, so the errno is classified directly)', () => {
    for (const code of ['EACCES', 'EPERM']) {
      const problem = folderProblem('/srv/private', Object.assign(new Error(`${code}: permission denied, scandir '/srv/private'`), { code })).error;
      expect(problem).toMatchObject({ code: 'permission', retryable: false, details: { errno: code } });
      expect(problem.message).toBe('"/srv/private" is not readable: Ferry is not allowed to open it. Give your user read access to it, or choose another folder.');
    }
  });
});

describe('watch folders in browser mode', () => {
  let app: FerryApp;
  beforeAll(async () => {
    // No allowed roots at all: browser mode as a user starts it.
    app = await createApp({ dataDir: path.join(base, 'data'), host: 'web', allowedRoots: [], watchStabilityMs: TEST_STABILITY_MS });
  });
  afterAll(async () => app?.close());

  it('a folder the user types is watched (its own allowed root) and a file written there is uploaded', async () => {
    const inbox = await makeTempDir('ferry-web-watch-');
    try {
      const added = await dispatch(app.handlers, 'watch:add', { path: inbox });
      expect(added).toMatchObject({ ok: true, value: { path: inbox, watching: true } });
      const bytes = Buffer.from(`scan ${Date.now()}`);
      await writeFile(path.join(inbox, 'scan-001.txt'), bytes);
      await until(() => app.engine.list().some((j) => j.name === 'scan-001.txt' && j.status.kind === 'done'));
      const job = app.engine.list().find((j) => j.name === 'scan-001.txt');
      const url = job?.status.kind === 'done' ? job.status.result.url : '';
      expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
      // Paths named by the page for plain uploads are still refused (no allowed roots here).
      expect(await dispatch(app.handlers, 'jobs:add-paths', { paths: [path.join(inbox, 'scan-001.txt')] })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      await removeTempDir(inbox);
    }
  });

  it('answers typing mistakes in words through the contract', async () => {
    const relative = await dispatch(app.handlers, 'watch:add', { path: 'Pictures/ToUpload' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('"Pictures/ToUpload" is not a full path') } });
    const missing = await dispatch(app.handlers, 'watch:add', { path: path.join(os.tmpdir(), 'ferry-no-such-folder', 'x') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('does not exist') } });
    const moveTo = await dispatch(app.handlers, 'watch:add', { path: base, afterUpload: { kind: 'move', to: 'done' } });
    expect(moveTo).toMatchObject({ ok: false, error: { message: expect.stringContaining('Type the whole path of the folder to move uploaded files to') } });
    expect(await dispatch(app.handlers, 'watch:add', { path: 'a\u0000b' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
