// `npm run ferry -- …`: runs the built CLI (dist/main/cli.js). It rebuilds the main bundles first
// only when the bundle is missing or older than a source file, so a normal start costs no build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'main', 'cli.js');
const SOURCES = ['src-main', 'src-shared'];

/** Newest modification time (ms) of any .ts file under `dir`. */
function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(p));
    else if (entry.name.endsWith('.ts')) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

function stale() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((dir) => newest(join(root, dir)) > built);
}

if (stale()) {
  // Build output goes to stderr: stdout stays the command's own (e.g. --json lines).
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-main.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    console.error('ferry: building dist/main failed');
    process.exit(1);
  }
}
const { runCli } = await import(pathToFileURL(bundle).href);
process.exitCode = await runCli(process.argv.slice(2));
