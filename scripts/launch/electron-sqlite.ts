import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NativeOutcome } from './decide.js';
import { SQLITE_BINDING_ENV } from '../../src-main/engine/journal/sqlite-options.js';

/**
 * better-sqlite3 is a V8 addon: the build in node_modules loads in Node (CLI, browser mode,
 * tests) and not in Electron, whose V8 differs. `npm start` therefore keeps a second build for
 * Electron in node_modules/.cache/ferry, made once with @electron/rebuild in a scratch copy (so
 * the Node build is never touched), checked by loading it in Electron, and named to the Electron
 * process through FERRY_SQLITE_BINDING (see src-main/engine/journal/sqlite-options.ts).
 */

export type PrepareOptions = {
  /** The project folder (holds node_modules). */
  readonly root: string;
  readonly electronBinary: string;
  readonly electronVersion: string;
  readonly progress?: (line: string) => void;
  /** Builds better-sqlite3 for Electron in `scratch` (its node_modules); @electron/rebuild by default. */
  readonly rebuild?: (scratch: string, electronVersion: string) => Promise<void>;
};

/** Where the Electron build of better-sqlite3 is kept for one Electron version. */
export function electronSqlitePath(root: string, electronVersion: string): string {
  return join(root, 'node_modules', '.cache', 'ferry', `better_sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}.node`);
}

/** Does this addon load in Electron's own Node (ELECTRON_RUN_AS_NODE, no window needed)? */
export function loadsInElectron(electronBinary: string, addon: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(electronBinary, ['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(addon)})`], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', (e) => resolve(e.message));
    child.once('exit', (code) => resolve(code === 0 ? null : (err.trim().split('\n').find((l) => /error/i.test(l)) ?? `exit code ${code}`)));
  });
}

async function electronRebuild(scratch: string, electronVersion: string): Promise<void> {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: scratch, electronVersion, arch: process.arch, onlyModules: ['better-sqlite3'], force: true });
}

/**
 * A scratch project whose node_modules holds a copy of better-sqlite3 (without its Node build)
 * and links to every other package, so prebuild-install and node-gyp resolve as usual.
 */
async function scratchProject(root: string): Promise<string> {
  const modules = join(root, 'node_modules');
  const scratch = await mkdtemp(join(tmpdir(), 'ferry-sqlite-electron-'));
  await mkdir(join(scratch, 'node_modules'));
  for (const entry of await readdir(modules)) {
    if (entry === 'better-sqlite3' || entry === '.cache' || entry === '.bin') continue;
    await symlink(join(modules, entry), join(scratch, 'node_modules', entry), 'junction');
  }
  await cp(join(modules, 'better-sqlite3'), join(scratch, 'node_modules', 'better-sqlite3'), {
    recursive: true,
    dereference: true,
    filter: (src) => basename(src) !== 'build' || dirname(src) !== join(modules, 'better-sqlite3'),
  });
  const version = (JSON.parse(await readFile(join(modules, 'better-sqlite3', 'package.json'), 'utf8')) as { version: string }).version;
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'ferry-sqlite-electron', private: true, dependencies: { 'better-sqlite3': version } }));
  return scratch;
}

/** Makes (once) and checks the Electron build; the outcome carries the env the Electron process needs. */
export async function prepareElectronSqlite(opts: PrepareOptions): Promise<NativeOutcome> {
  const target = electronSqlitePath(opts.root, opts.electronVersion);
  const say = opts.progress ?? (() => undefined);
  const ready = { ok: true, env: { [SQLITE_BINDING_ENV]: target } } as const;
  if (existsSync(target) && (await loadsInElectron(opts.electronBinary, target)) === null) return ready;
  say(`Preparing the database module for Electron ${opts.electronVersion} (once)…`);
  let scratch: string | null = null;
  try {
    scratch = await scratchProject(opts.root);
    await (opts.rebuild ?? electronRebuild)(scratch, opts.electronVersion);
    const built = join(scratch, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) return { ok: false, reason: 'the database module for Electron was not built.' };
    const problem = await loadsInElectron(opts.electronBinary, built);
    if (problem !== null) return { ok: false, reason: `the database module built for Electron does not load in it (${problem}).` };
    await mkdir(dirname(target), { recursive: true });
    await copyFile(built, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
    return ready;
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message.split('\n')[0] : String(thrown);
    return { ok: false, reason: `the database module could not be built for Electron (${message}).` };
  } finally {
    if (scratch !== null) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
