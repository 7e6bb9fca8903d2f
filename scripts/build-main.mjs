// Bundles the main-process entry points with esbuild into dist/main. Dependencies stay external
// (they are installed next to the app), so the bundles contain only our own code, except the few
// pure-JS packages in BUNDLED.
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'main');

/**
 * Bundled into our code although installed: Node's ES-module loader costs about a millisecond of
 * CPU per file it loads, and zod is 99 files that every process loads at start (~0.1 CPU-s of
 * each `ferry upload`, against ~0.01 s as part of a bundle). One copy per bundle; nothing outside
 * our code hands zod objects around.
 */
const BUNDLED = new Set(['zod']);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const entries = [
  { src: 'src-main/hosts/web/main.ts', out: 'web-main.js' },
  { src: 'src-main/hosts/electron/main.ts', out: 'electron-main.js', extra: { external: [...external, 'electron'] } },
  // Sandboxed preloads must be CommonJS and cannot require node_modules: bundle all but electron.
  { src: 'src-main/hosts/electron/preload.ts', out: 'preload.cjs', extra: { format: 'cjs', packages: 'bundle', external: ['electron'] } },
  // Split: `ferry --help` loads only the small entry; the engine, SQLite and sharp load on use.
  { src: 'src-main/hosts/cli/main.ts', out: 'cli.js', split: true },
  { src: 'src-main/localcloud/cli.ts', out: 'localcloud.js' },
  // The embedded local cloud's worker thread (hosts/local-cloud-port.ts looks for it beside the bundle).
  { src: 'src-main/hosts/local-cloud-worker.ts', out: 'localcloud-worker.js' },
  // `npm start`'s launcher (scripts/start.mjs runs it): Electron or browser mode.
  { src: 'scripts/launch/main.ts', out: 'start.js' },
];

let built = 0;
// Split chunks carry content hashes: drop the previous build's before writing new ones.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
for (const entry of entries) {
  if (!existsSync(join(root, entry.src))) {
    console.log(`build-main: skipping ${entry.out} (${entry.src} does not exist yet)`);
    continue;
  }
  const target = entry.split
    ? { entryPoints: { [entry.out.replace(/\.js$/, '')]: entry.src }, outdir, splitting: true, chunkNames: 'chunks/[name]-[hash]' }
    : { entryPoints: [entry.src], outfile: join(outdir, entry.out) };
  await build({ ...common, ...entry.extra, ...target });
  built++;
  console.log(`build-main: ${entry.src} -> dist/main/${entry.out}`);
}
console.log(`build-main: ${built} bundle(s) written to dist/main`);
