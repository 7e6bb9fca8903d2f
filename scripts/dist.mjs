// `npm run dist` (after `npm run build`): installers for this OS with electron-builder
// (electron-builder.yml), then better-sqlite3 back to its Node build. electron-builder rebuilds
// native modules for Electron in place in node_modules; without the second step the CLI, browser
// mode and the tests could not load the database module afterwards.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });

const built = run(npx, ['electron-builder', '--publish', 'never', ...process.argv.slice(2)]);
console.log('dist: rebuilding better-sqlite3 for Node again (electron-builder left an Electron build in node_modules)…');
const restored = run(npm, ['rebuild', 'better-sqlite3']);
if (restored.status !== 0) console.error('dist: `npm rebuild better-sqlite3` failed; run it yourself before using Ferry from Node.');
if (built.status === 0) console.log('dist: installers are in release/.');
process.exit(built.status ?? 1);
