/**
 * Bench: a 10,000-row queue in the real renderer (Chromium through the web host). Prints the
 * time until all rows are listed, frame times while scrolling the whole list (one scroll step per
 * animation frame, so every frame must lay out newly windowed rows), and the DOM row count. Run
 * by `npm run bench` after a build; standalone: `npx tsx bench/ui-scroll.ts` (needs dist/renderer).
 * Empty files make 10,000 jobs without 10,000 uploads (each ends at once as "file is empty").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { frameFigures, withBrowserApp } from './browser-rig.js';
import type { BenchModule } from './lib.js';

export type UiScrollResult =
  | { rows: number; listedMs: number; frames: number; medianFrameMs: number; p95FrameMs: number; longFrames: number; maxDomRows: number }
  | { skipped: string };

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
  return withBrowserApp('ui', async ({ app, url, browser, workDir }) => {
    const dir = path.join(workDir, 'many');
    await mkdir(dir);
    for (let i = 0; i < rows; i++) await writeFile(path.join(dir, `row-${String(i).padStart(5, '0')}.txt`), '');
    await app.engine.addPaths([dir]);
    await app.engine.whenIdle();

    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const t0 = performance.now();
    await page.goto(url);
    await page.getByTestId('queue-summary').filter({ hasText: `${rows} failed` }).waitFor({ timeout: 120_000 });
    const listedMs = performance.now() - t0;

    // Passed as source text: this file is type-checked without the DOM library.
    const measured = (await page.evaluate(SCROLL_SCRIPT)) as { frameTimes: number[]; maxDomRows: number };
    return { rows, listedMs, ...frameFigures(measured.frameTimes), maxDomRows: measured.maxDomRows };
  });
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
