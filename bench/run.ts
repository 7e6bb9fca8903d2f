/**
 * `npm run bench`: each module below in turn, its figures with ratios, and the change against
 * the previous run (bench/.baseline.json, gitignored). The modules say what they measure and
 * which knobs they take (FERRY_BENCH_*); FERRY_BENCH_ONLY=transfer,small-files runs a subset.
 * To add a bench: one import and one entry in MODULES.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { reportCliStart } from './cli-start.js';
import { libraryScrollBench } from './library-scroll.js';
import { BENCH_DIR, rowsModule, type BenchModule } from './lib.js';
import { benchRenderMemory } from './render-memory.js';
import { smallFilesBench } from './small-files.js';
import { sparseBench } from './sparse.js';
import { transferBench } from './transfer.js';
import { uiScrollBench } from './ui-scroll.js';

const MODULES: readonly BenchModule[] = [
  transferBench,
  smallFilesBench,
  sparseBench,
  uiScrollBench,
  libraryScrollBench,
  rowsModule('render-memory', benchRenderMemory),
  rowsModule('cli-start', async (_dir, row) => {
    if (!reportCliStart(row)) row('(h) goal', 'missed: the CLI took 1 s or more to print --help');
    return false;
  }),
];

const BASELINE = path.join(BENCH_DIR, '.baseline.json');
type Figures = Record<string, number>;

async function main(): Promise<void> {
  const only = process.env.FERRY_BENCH_ONLY?.split(',').map((s) => s.trim());
  const previous = (JSON.parse(await readFile(BASELINE, 'utf8').catch(() => 'null')) as { at: string; figures: Figures } | null) ?? null;
  const figures: Figures = {};
  let failed = false;
  console.log(`Ferry benchmarks — ${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  for (const m of MODULES) {
    if (only && !only.includes(m.name)) continue;
    const dir = await mkdtemp(path.join(os.tmpdir(), `ferry-bench-${m.name}-`));
    try {
      const result = await m.run(dir);
      failed ||= result.failed === true;
      console.log('');
      for (const r of result.rows) {
        if (r.key !== undefined && r.n !== undefined && Number.isFinite(r.n)) figures[r.key] = r.n;
        if (r.label !== '') console.log(`${r.label.padEnd(50)} ${r.value}`);
      }
      for (const n of result.notes ?? []) console.log(n);
      console.log('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (previous) {
    console.log(`change against the previous run (${previous.at}):`);
    for (const [key, now] of Object.entries(figures)) {
      const before = previous.figures[key];
      if (before === undefined || before === 0) continue;
      const pct = ((now - before) / before) * 100;
      const better = key.startsWith('lower:') ? pct < 0 : pct > 0;
      console.log(`  ${key.replace('lower:', '').padEnd(36)} ${before.toFixed(2)} → ${now.toFixed(2)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %${Math.abs(pct) >= 5 ? (better ? ', better' : ', worse') : ''})`);
    }
  } else {
    console.log('(no previous run: this one becomes the baseline)');
  }
  await writeFile(BASELINE, JSON.stringify({ at: new Date().toISOString(), figures: { ...previous?.figures, ...figures } }, null, 2));
  if (failed) {
    console.log('\nFAILED: a stored object did not match its source, a file did not finish, or a bound was exceeded.');
    process.exitCode = 1;
  }
}

await main();
