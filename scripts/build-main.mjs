// Bundles the main-process entry points with esbuild into dist/main. Dependencies stay external
// (they are installed next to the app), so the bundles contain only our own code.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'main');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  { src: 'src-main/hosts/web/main.ts', out: 'web-main.js' },
  { src: 'src-main/hosts/electron/main.ts', out: 'electron-main.js', extra: { external: ['electron'] } },
  // Sandboxed preloads must be CommonJS and cannot require node_modules: bundle all but electron.
  { src: 'src-main/hosts/electron/preload.ts', out: 'preload.cjs', extra: { format: 'cjs', packages: 'bundle', external: ['electron'] } },
  { src: 'src-main/hosts/cli/main.ts', out: 'cli.js' },
  { src: 'src-main/localcloud/cli.ts', out: 'localcloud.js' },
  // The embedded local cloud's worker thread (hosts/local-cloud-port.ts looks for it beside the bundle).
  { src: 'src-main/hosts/local-cloud-worker.ts', out: 'localcloud-worker.js' },
];

let built = 0;
for (const entry of entries) {
  if (!existsSync(join(root, entry.src))) {
    console.log(`build-main: skipping ${entry.out} (${entry.src} does not exist yet)`);
    continue;
  }
  await build({ ...common, ...entry.extra, entryPoints: [entry.src], outfile: join(outdir, entry.out) });
  built++;
  console.log(`build-main: ${entry.src} -> dist/main/${entry.out}`);
}
console.log(`build-main: ${built} bundle(s) written to dist/main`);
