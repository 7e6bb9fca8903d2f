import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { electronSqlitePath, prepareElectronSqlite } from '../../scripts/launch/electron-sqlite.js';
import { SQLITE_BINDING_ENV, sqliteOptions } from '../../src-main/engine/journal/sqlite-options.js';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

// What can run here of `npm start`'s second better-sqlite3 build: the option that names it, and
// the preparation around the rebuild (scratch copy, load check, cache). The rebuild itself needs
// Electron's headers or prebuilt binaries from the network, and Electron; the stand-ins below
// are this Node (it loads addons like Electron's Node does) and its own build of the module.

const realModules = resolve('node_modules');
const nodeBuild = join(realModules, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
let root: string;

beforeEach(async () => {
  root = await makeTempDir('ferry-sqlite-electron-');
  // A project whose node_modules points at the real packages, so nothing real is written.
  await mkdir(join(root, 'node_modules'));
  for (const entry of await readdir(realModules)) {
    if (entry !== '.cache') await symlink(join(realModules, entry), join(root, 'node_modules', entry));
  }
});
afterEach(async () => {
  await removeTempDir(root);
});

describe('sqliteOptions', () => {
  it('names the binary from FERRY_SQLITE_BINDING, and nothing when it is unset', () => {
    expect(sqliteOptions({ readonly: true }, {})).toEqual({ readonly: true });
    expect(sqliteOptions({ readonly: true }, { [SQLITE_BINDING_ENV]: '/x.node' })).toEqual({ readonly: true, nativeBinding: '/x.node' });
    const db = new Database(':memory:', sqliteOptions({}, { [SQLITE_BINDING_ENV]: nodeBuild }));
    expect(db.prepare('SELECT 41 + 1 AS n').get()).toEqual({ n: 42 });
    db.close();
    expect(() => new Database(':memory:', sqliteOptions({}, { [SQLITE_BINDING_ENV]: join(root, 'missing.node') }))).toThrow();
  });

  it('reaches the journal: with a binary that does not load, the journal says so and runs in memory', () => {
    const saved = process.env[SQLITE_BINDING_ENV];
    process.env[SQLITE_BINDING_ENV] = join(root, 'missing.node');
    try {
      const journal = openJournal({ dir: join(root, 'data') });
      expect(journal.status.mode).toBe('memory');
      journal.close();
    } finally {
      if (saved === undefined) delete process.env[SQLITE_BINDING_ENV];
      else process.env[SQLITE_BINDING_ENV] = saved;
    }
  });
});

describe('prepareElectronSqlite', () => {
  it('builds once in a scratch copy, checks it loads, keeps it, and names it for the Electron process', async () => {
    const seen: { files: string[]; bindings: boolean; pkg: unknown }[] = [];
    const rebuild = async (scratch: string): Promise<void> => {
      const mod = join(scratch, 'node_modules', 'better-sqlite3');
      seen.push({ files: await readdir(mod), bindings: existsSync(join(scratch, 'node_modules', 'bindings', 'package.json')), pkg: JSON.parse(await readFile(join(scratch, 'package.json'), 'utf8')) });
      // Stand-in for @electron/rebuild's output.
      await mkdir(join(mod, 'build', 'Release'), { recursive: true });
      await copyFile(nodeBuild, join(mod, 'build', 'Release', 'better_sqlite3.node'));
    };
    const before = await stat(nodeBuild);
    const outcome = await prepareElectronSqlite({ root, electronBinary: process.execPath, electronVersion: '45.4.1', rebuild });
    const target = electronSqlitePath(root, '45.4.1');
    expect(outcome).toEqual({ ok: true, env: { [SQLITE_BINDING_ENV]: target } });
    expect(existsSync(target)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.files).not.toContain('build'); // the Node build is not what gets rebuilt
    expect(seen[0]?.files).toEqual(expect.arrayContaining(['package.json', 'src', 'deps', 'lib']));
    expect(seen[0]?.bindings).toBe(true);
    expect(seen[0]?.pkg).toMatchObject({ dependencies: { 'better-sqlite3': expect.any(String) } });
    // The Node build in node_modules is untouched.
    expect((await stat(nodeBuild)).mtimeMs).toBe(before.mtimeMs);
    // Next launch: kept, checked, no rebuild.
    expect(await prepareElectronSqlite({ root, electronBinary: process.execPath, electronVersion: '45.4.1', rebuild })).toEqual(outcome);
    expect(seen).toHaveLength(1);
  });

  it('says why when the build fails or does not load', async () => {
    const failing = await prepareElectronSqlite({
      root,
      electronBinary: process.execPath,
      electronVersion: '45.4.1',
      rebuild: async () => {
        throw new Error('connect ECONNREFUSED electronjs.org\nstack…');
      },
    });
    expect(failing).toEqual({ ok: false, reason: 'the database module could not be built for Electron (connect ECONNREFUSED electronjs.org).' });
    const broken = await prepareElectronSqlite({
      root,
      electronBinary: process.execPath,
      electronVersion: '45.4.1',
      rebuild: async (scratch) => {
        await mkdir(join(scratch, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
        await writeFile(join(scratch, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), 'not an addon');
      },
    });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.reason).toMatch(/^the database module built for Electron does not load in it/);
    expect(existsSync(electronSqlitePath(root, '45.4.1'))).toBe(false);
  });
});
