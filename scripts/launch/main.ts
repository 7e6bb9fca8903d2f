import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseStart, displayProblem, nodeSupport, parseLaunchArgs, type StartProbes } from './decide.js';
import { installElectron, installedElectronBinary } from './electron-install.js';
import { prepareElectronSqlite } from './electron-sqlite.js';

/**
 * `npm start` (bundled to dist/main/start.js; scripts/start.mjs runs it): Ferry in Electron when
 * there is a display, fetching Electron's binary once through its own installer; browser mode
 * otherwise, saying why in one sentence. `--browser` forces browser mode, `--no-open` keeps the
 * browser closed; every other argument goes to the host.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** An Electron that dies this soon with an error is treated as "cannot run here". */
const EARLY_EXIT_MS = 4000;
/** Progress lines on a pipe (CI, logs) are spaced out; a terminal redraws one line. */
const PIPE_PROGRESS_MS = 5000;

function electronDir(): string | null {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null; // a production install without devDependencies
  }
}

function electronVersionOf(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function progressPrinter(): { line(text: string): void; done(): void } {
  let lastAt = 0;
  let drawn = false;
  return {
    line(text) {
      if (process.stdout.isTTY) {
        process.stdout.write(`\r\x1b[K${text}`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - lastAt < PIPE_PROGRESS_MS) return;
      lastAt = now;
      console.log(text);
    },
    done() {
      if (drawn) process.stdout.write('\n');
      drawn = false;
    },
  };
}

/**
 * glibc gives every thread that allocates its own malloc arena and keeps them: after image
 * renders (libvips threads) a long-running Ferry stayed at ~260 MB instead of returning to
 * ~90 MB. Two arenas keep it flat; glibc reads this only at process start, hence here. A value
 * the user set wins; other platforms ignore it.
 */
const MEMORY_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };

/** Runs a child with inherited stdio, forwards SIGINT/SIGTERM, and resolves with its exit. */
function run(command: string, argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }> {
  const child = spawn(command, argv, { stdio: 'inherit', cwd: root, env: { ...process.env, ...MEMORY_ENV, ...env } });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal, error: null }));
  }).finally(() => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  });
}

async function startBrowserMode(reason: string, args: readonly string[], open: boolean): Promise<never> {
  console.log(`Ferry opens in your browser instead of its own window, because ${reason}`);
  const web = join(root, 'dist', 'main', 'web-main.js');
  const { code, signal, error } = await run(process.execPath, [web, ...args, ...(open ? ['--open'] : [])]);
  if (error) console.error(`Ferry: could not start browser mode: ${error.message}`);
  process.exit(code ?? (signal ? 0 : 1));
}

async function main(): Promise<void> {
  const launch = parseLaunchArgs(process.argv.slice(2));
  const dir = electronDir();
  const node = nodeSupport(process.version);
  const printer = progressPrinter();
  const probes: StartProbes = {
    displayProblem: () => displayProblem(process.platform, process.env),
    installedBinary: () => (dir === null ? null : installedElectronBinary(dir)),
    installerProblem: () => (dir === null ? 'the electron package is not installed (run npm install).' : node.blocked),
    install: async () => {
      const outcome = await installElectron({ electronDir: dir ?? '', progress: printer.line });
      printer.done();
      if (!outcome.ok && node.note !== null) console.log(`Note: ${node.note}`);
      return outcome;
    },
    prepareNative: (binary) => prepareElectronSqlite({ root, electronBinary: binary, electronVersion: electronVersionOf(dir ?? ''), progress: (l) => console.log(l) }),
  };
  const plan = await chooseStart(probes, { forceBrowser: launch.forceBrowser });
  if (plan.mode === 'browser') return startBrowserMode(plan.reason, launch.rest, launch.open);

  const main = join(root, 'dist', 'main', 'electron-main.js');
  if (!existsSync(main)) return startBrowserMode('dist/main/electron-main.js is not built (run npm run build).', launch.rest, launch.open);
  const startedAt = Date.now();
  // `electron <root>` runs the app folder: package.json names the main script and the app.
  const { code, signal, error } = await run(plan.binary, [root, ...launch.rest], plan.env);
  const early = Date.now() - startedAt < EARLY_EXIT_MS;
  if (error) return startBrowserMode(`Electron failed to start (${error.message}).`, launch.rest, launch.open);
  // A crash signal (e.g. SIGTRAP without a usable sandbox or GPU) counts as failure; a signal we
  // forwarded from the user does not.
  const failed = signal ? signal !== 'SIGINT' && signal !== 'SIGTERM' : code !== 0;
  if (early && failed) return startBrowserMode(`Electron exited with ${signal ?? `code ${code}`} right after starting.`, launch.rest, launch.open);
  process.exit(code ?? 0);
}

main().catch((thrown: unknown) => {
  console.error(`Ferry could not start: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  process.exit(1);
});
