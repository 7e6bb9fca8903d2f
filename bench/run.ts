/**
 * `npm run bench`: Ferry's figures side by side, with ratios and the change against the previous
 * run (bench/.baseline.json, gitignored).
 *   (a) Ferry regular multipart → local cloud vs a raw streaming PUT of the same bytes (the ceiling)
 *   (b) the same file with intelligent ingestion
 *   (c) many small files through the engine (files/s)
 *   (d) peak RSS for a 6 GiB sparse file (opt-in: FERRY_BENCH_SPARSE=1, writes 6 GiB to disk)
 *   (e) the official filestack-js client uploading the same file to the same server (port 80)
 *   (f) a 10,000-row queue scrolled end to end in the real renderer (Chromium, web host)
 *   (g) peak RSS of the local cloud rendering a 49 MP image (bench/render-memory.ts)
 *   (h) the CLI's start time to `--help` (bench/cli-start.ts)
 * Knobs: FERRY_BENCH_MB (default 256), FERRY_BENCH_SMALL (default 2000), FERRY_BENCH_SMALL_KB
 * (default 10), FERRY_BENCH_FILES_AT_ONCE (default 4), FERRY_BENCH_SPARSE=1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ferryUpload, makeFile, MIB, rawPut } from './lib.js';
import { filestackJsUpload } from './filestack-js.js';
import { benchSmallFiles } from './small-files.js';
import { benchUiScroll } from './ui-scroll.js';
import { benchRenderMemory } from './render-memory.js';
import type { SparseResult } from './sparse.js';
import { reportCliStart } from './cli-start.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASELINE = path.join(here, '.baseline.json');
const sizeMb = Number(process.env.FERRY_BENCH_MB ?? 256);
const smallCount = Number(process.env.FERRY_BENCH_SMALL ?? 2000);
const smallKb = Number(process.env.FERRY_BENCH_SMALL_KB ?? 10);
const filesAtOnce = Number(process.env.FERRY_BENCH_FILES_AT_ONCE ?? 4);

/** Figure name → value; higher is better unless the name says otherwise (`lower:`). */
type Figures = Record<string, number>;
const figures: Figures = {};
const notes: string[] = [];
let failed = false;

function row(label: string, value: string, key?: string, n?: number): void {
  if (key !== undefined && n !== undefined) figures[key] = n;
  console.log(`${label.padEnd(44)} ${value}`);
}

async function loadBaseline(): Promise<{ at: string; figures: Figures } | null> {
  try {
    return JSON.parse(await readFile(BASELINE, 'utf8')) as { at: string; figures: Figures };
  } catch {
    return null;
  }
}

/** Runs bench/sparse.ts in its own process so its peak RSS is not mixed with the other benches. */
function runSparse(): Promise<SparseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'sparse.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`sparse bench exited with ${code}`));
      else resolve(JSON.parse(line) as SparseResult);
    });
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-'));
  const previous = await loadBaseline();
  try {
    const bytes = sizeMb * MIB;
    const file = await makeFile(dir, bytes);
    const mbps = (s: number): number => sizeMb / s;
    console.log(`Ferry benchmarks — ${os.cpus().length} CPUs, Node ${process.version}; file ${sizeMb} MiB\n`);

    // (a) Ferry regular multipart vs the raw PUT ceiling.
    const raw = await rawPut(file, bytes);
    row('(a) raw loopback PUT (ceiling)', `${mbps(raw).toFixed(1)} MB/s`, 'raw_MBps', mbps(raw));
    const regular = await ferryUpload(file, bytes, path.join(dir, 'cloud-a'));
    failed ||= !regular.intact;
    row('(a) Ferry multipart → local cloud', `${mbps(regular.seconds).toFixed(1)} MB/s (intact: ${regular.intact})`, 'ferry_MBps', mbps(regular.seconds));
    row('    ratio Ferry / raw', (raw / regular.seconds).toFixed(2), 'ferry_vs_raw', raw / regular.seconds);

    // (b) Intelligent ingestion (the local cloud grants FII to the bench app).
    try {
      const fii = await ferryUpload(file, bytes, path.join(dir, 'cloud-b'), { intelligent: true });
      failed ||= !fii.intact;
      row('(b) Ferry intelligent ingestion', `${mbps(fii.seconds).toFixed(1)} MB/s (intact: ${fii.intact})`, 'fii_MBps', mbps(fii.seconds));
      row('    ratio FII / regular', (regular.seconds / fii.seconds).toFixed(2), 'fii_vs_regular', regular.seconds / fii.seconds);
    } catch (err) {
      row('(b) Ferry intelligent ingestion', `skipped: ${(err as Error).message}`);
    }

    // (c) Many small files through the engine.
    const small = await benchSmallFiles(dir, smallCount, smallKb * 1024, filesAtOnce);
    failed ||= small.done !== small.files;
    row(
      `(c) ${small.files} × ${smallKb} KiB via engine (${filesAtOnce} at once)`,
      `${small.filesPerSecond.toFixed(1)} files/s (${small.seconds.toFixed(1)} s, ${small.done} done)`,
      'small_files_per_s',
      small.filesPerSecond,
    );

    // (d) Peak RSS for the 6 GiB sparse file, opt-in.
    if (process.env.FERRY_BENCH_SPARSE === '1') {
      const s = await runSparse();
      // The bound is checked on the growth: the process also hosts tsx and the local cloud.
      failed ||= !s.intact || s.peakRssMiB - s.startRssMiB > s.boundMiB || s.parts > 10_000;
      row('(d) 6 GiB sparse: parts × part size', `${s.parts} × ${(s.partSize / MIB).toFixed(1)} MiB`);
      row('(d) 6 GiB sparse: throughput', `${((s.sizeBytes / MIB) / s.seconds).toFixed(1)} MB/s (intact: ${s.intact})`, 'sparse_MBps', s.sizeBytes / MIB / s.seconds);
      row('(d) 6 GiB sparse: peak RSS', `${s.peakRssMiB.toFixed(0)} MiB (bound ${s.boundMiB.toFixed(0)} MiB; ${s.startRssMiB.toFixed(0)} MiB before the upload)`, 'lower:sparse_peak_rss_MiB', s.peakRssMiB);
      row('    growth during the upload', `${(s.peakRssMiB - s.startRssMiB).toFixed(0)} MiB`, 'lower:sparse_rss_growth_MiB', s.peakRssMiB - s.startRssMiB);
    } else {
      row('(d) 6 GiB sparse: peak RSS', 'skipped (set FERRY_BENCH_SPARSE=1; writes 6 GiB to the local cloud)');
    }

    // (e) The official client and Ferry, each in its own process, on one server (port 80: the
    // client drops explicit ports). (a) runs client and server in one process; this does not.
    const side = await filestackJsUpload(file, path.join(dir, 'cloud-e'));
    if ('skipped' in side) {
      row('(e) filestack-js → local cloud', `skipped: ${side.skipped}`);
    } else {
      failed ||= !side.sdk.intact || !side.ferry.intact;
      row('(e) filestack-js → local cloud (own process)', `${mbps(side.sdk.seconds).toFixed(1)} MB/s (intact: ${side.sdk.intact})`, 'filestack_js_MBps', mbps(side.sdk.seconds));
      row('(e) Ferry → local cloud (own process)', `${mbps(side.ferry.seconds).toFixed(1)} MB/s (intact: ${side.ferry.intact})`, 'ferry_child_MBps', mbps(side.ferry.seconds));
      row('    ratio Ferry / filestack-js', (side.sdk.seconds / side.ferry.seconds).toFixed(2), 'ferry_vs_filestack_js', side.sdk.seconds / side.ferry.seconds);
    }

    // (f) The window: a 10,000-row queue scrolled end to end in Chromium.
    const ui = await benchUiScroll();
    if ('skipped' in ui) {
      row('(f) 10,000-row queue scroll', `skipped: ${ui.skipped}`);
    } else {
      row('(f) 10,000-row queue: all rows listed', `${(ui.listedMs / 1000).toFixed(2)} s`, 'lower:ui_listed_s', ui.listedMs / 1000);
      row('(f) scroll frames (400 px each)', `${ui.frames} frames, median ${ui.medianFrameMs.toFixed(1)} ms, p95 ${ui.p95FrameMs.toFixed(1)} ms`, 'lower:ui_p95_frame_ms', ui.p95FrameMs);
      row('    frames over 50 ms', String(ui.longFrames), 'lower:ui_long_frames', ui.longFrames);
      row('    most rows in the DOM at once', String(ui.maxDomRows));
    }
    // (g) Render memory: its own module, each run in a child process.
    failed ||= await benchRenderMemory(dir, row);

    // --- (h) CLI start time: bench/cli-start.ts (issue 11), kept apart from the other benches ---
    if (!reportCliStart(row)) notes.push('(h) the CLI took 1 s or more to print --help');
    // --- end (h) ---
    notes.push('RSS of this process after the runs: ' + (process.memoryUsage().rss / MIB).toFixed(0) + ' MiB');

    if (previous) {
      console.log(`\nchange against the previous run (${previous.at}):`);
      for (const [key, now] of Object.entries(figures)) {
        const before = previous.figures[key];
        if (before === undefined || before === 0) continue;
        const pct = ((now - before) / before) * 100;
        const better = key.startsWith('lower:') ? pct < 0 : pct > 0;
        console.log(`  ${key.replace('lower:', '').padEnd(28)} ${before.toFixed(2)} → ${now.toFixed(2)} (${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %${Math.abs(pct) >= 5 ? (better ? ', better' : ', worse') : ''})`);
      }
    } else {
      console.log('\n(no previous run: this one becomes the baseline)');
    }
    for (const n of notes) console.log(n);
    await writeFile(BASELINE, JSON.stringify({ at: new Date().toISOString(), sizeMb, figures: { ...previous?.figures, ...figures } }, null, 2));
    if (failed) {
      console.log('\nFAILED: a stored object did not match its source, a file did not finish, or a bound was exceeded.');
      process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
