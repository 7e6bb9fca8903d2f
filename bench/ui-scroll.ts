/**
 * Bench: a 10,000-row queue in the real renderer (Chromium through the web host). Prints the
 * time until all rows are listed, frame times while scrolling the whole list (one scroll step per
 * animation frame, so every frame must lay out newly windowed rows), and the DOM row count. Run
 * by `npm run bench` after a build; standalone: `npx tsx bench/ui-scroll.ts` (needs dist/renderer).
 * Empty files make 10,000 jobs without 10,000 uploads (each ends at once as "file is empty").
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createApp } from '../src-main/hosts/compose.js';
import { startWebHost } from '../src-main/hosts/web/web-host.js';
import type { BenchModule } from './lib.js';

export type UiScrollResult =
  | { rows: number; listedMs: number; frames: number; medianFrameMs: number; p95FrameMs: number; longFrames: number; maxDomRows: number }
  | { skipped: string };

const STATIC_DIR = path.resolve('dist/renderer');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Scrolls top to bottom in 400 px steps, one per frame, recording each frame's duration. */
const SCROLL_SCRIPT = `(async () => {
  const frameTimes = [];
  let maxDomRows = 0;
  const end = document.documentElement.scrollHeight - window.innerHeight;
  let last = await new Promise((r) => requestAnimationFrame(r));
  for (let y = 0; y <= end; y += 400) {
    window.scrollTo(0, y);
    const now = await new Promise((r) => requestAnimationFrame(r));
    frameTimes.push(now - last);
    last = now;
    maxDomRows = Math.max(maxDomRows, document.querySelectorAll('[data-testid="job-row"]').length);
  }
  return { frameTimes, maxDomRows };
})()`;

export async function benchUiScroll(rows = 10_000): Promise<UiScrollResult> {
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) return { skipped: 'dist/renderer is missing (npm run build)' };
  if (!existsSync('/usr/bin/chromium')) return { skipped: '/usr/bin/chromium is missing' };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-ui-data-'));
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-ui-src-'));
  const app = await createApp({ dataDir, host: 'web' });
  const web = await startWebHost({ app, port: 0, staticDir: STATIC_DIR });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    const dir = path.join(workDir, 'many');
    await mkdir(dir);
    for (let i = 0; i < rows; i++) await writeFile(path.join(dir, `row-${String(i).padStart(5, '0')}.txt`), '');
    await app.engine.addPaths([dir]);
    await app.engine.whenIdle();

    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const t0 = performance.now();
    await page.goto(web.url);
    await page.getByTestId('queue-summary').filter({ hasText: `${rows} failed` }).waitFor({ timeout: 120_000 });
    const listedMs = performance.now() - t0;

    // Passed as source text: this file is type-checked without the DOM library.
    const measured = (await page.evaluate(SCROLL_SCRIPT)) as { frameTimes: number[]; maxDomRows: number };
    const sorted = [...measured.frameTimes].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      rows,
      listedMs,
      frames: sorted.length,
      medianFrameMs: at(0.5),
      p95FrameMs: at(0.95),
      longFrames: sorted.filter((t) => t > 50).length,
      maxDomRows: measured.maxDomRows,
    };
  } finally {
    await browser.close();
    await web.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchUiScroll(Number(process.env.FERRY_BENCH_UI_ROWS ?? 10_000))));
}

/** The module run.ts runs. */
export const uiScrollBench: BenchModule = {
  name: 'ui-scroll',
  async run() {
    const ui = await benchUiScroll();
    if ('skipped' in ui) return { rows: [{ label: '10,000-row queue scroll', value: `skipped: ${ui.skipped}` }] };
    return {
      rows: [
        { label: '10,000-row queue: all rows listed', value: `${(ui.listedMs / 1000).toFixed(2)} s`, key: 'lower:ui_listed_s', n: ui.listedMs / 1000 },
        { label: 'scroll frames (400 px each)', value: `${ui.frames} frames, median ${ui.medianFrameMs.toFixed(1)} ms, p95 ${ui.p95FrameMs.toFixed(1)} ms`, key: 'lower:ui_p95_frame_ms', n: ui.p95FrameMs },
        { label: '    frames over 50 ms', value: String(ui.longFrames), key: 'lower:ui_long_frames', n: ui.longFrames },
        { label: '    most rows in the DOM at once', value: String(ui.maxDomRows) },
      ],
    };
  },
};
