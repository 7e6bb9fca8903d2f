// `npm start`: runs Ferry in Electron when a usable Electron binary is present, else in browser
// mode. It never requires the `electron` package, because that triggers a first-run binary
// download, which these build machines cannot do.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** An Electron that dies this soon with an error is treated as "cannot run here". */
const EARLY_EXIT_MS = 4000;

function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary was never downloaded' };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = join(pkg, 'dist', relative);
  if (!relative || !existsSync(binary)) return { reason: `the Electron binary is missing (${binary})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set' };
  }
  const main = join(root, 'dist', 'main', 'electron-main.js');
  if (!existsSync(main)) return { reason: 'dist/main/electron-main.js is not built' };
  return { binary, main };
}

/** Runs a child with inherited stdio, forwards SIGINT/SIGTERM, and resolves with its exit. */
function run(command, argv) {
  const child = spawn(command, argv, { stdio: 'inherit', cwd: root });
  const forward = (signal) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const exited = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal, error: null }));
  }).finally(() => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  });
  return { child, exited };
}

function startBrowserMode(reason) {
  console.log(`Electron is not available here (${reason}). Starting Ferry in browser mode.`);
  const { exited } = run(process.execPath, [join(root, 'dist', 'main', 'web-main.js'), ...args]);
  exited.then(({ code, signal, error }) => {
    if (error) console.error(`Ferry: could not start browser mode: ${error.message}`);
    process.exit(code ?? (signal ? 0 : 1));
  });
}

const found = electronBinary();
if (!found.binary) {
  startBrowserMode(found.reason);
} else {
  const startedAt = Date.now();
  const { exited } = run(found.binary, [found.main, ...args]);
  exited.then(({ code, signal, error }) => {
    const early = Date.now() - startedAt < EARLY_EXIT_MS;
    if (error) return startBrowserMode(`Electron failed to start: ${error.message}`);
    // A crash signal (e.g. SIGTRAP without a usable sandbox or GPU) counts as failure; a signal we
    // forwarded from the user does not.
    const failed = signal ? signal !== 'SIGINT' && signal !== 'SIGTERM' : code !== 0;
    if (early && failed) return startBrowserMode(`Electron exited with ${signal ?? `code ${code}`} at startup`);
    process.exit(code ?? 0);
  });
}
