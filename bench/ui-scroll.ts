/**
 * Bench: a 10,000-row queue in the real renderer (Chromium through the web host). Prints the
 * time until all rows are listed, frame times while scrolling the whole list (one 400 px step per
 * animation frame, so every frame must lay out newly windowed rows), the main thread's CPU time
 * per frame and the DOM row count, beside an empty page scrolled the same way in the same browser
 * (the machine's own frame noise) and the load average. Run by `npm run bench` after a build;
 * standalone: `npx tsx bench/ui-scroll.ts` (needs dist/renderer). Empty files make 10,000 jobs
 * without 10,000 uploads (each ends at once as "file is empty").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeScroll, scroll, withBrowserApp, type ScrollFigures } from './browser-rig.js';
import type { BenchModule } from './lib.js';

export type UiScrollResult = { rows: number; listedMs: number; load: string; empty: ScrollFigures; queue: ScrollFigures } | { skipped: string };

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

export async function benchUiScroll(rows = 10_000): Promise<UiScrollResult> {
  return withBrowserApp('ui', async ({ app, url, browser, workDir }) => {
    const dir = path.join(workDir, 'many');
    await mkdir(dir);
    for (let i = 0; i < rows; i++) await writeFile(path.join(dir, `row-${String(i).padStart(5, '0')}.txt`), '');
    await app.engine.addPaths([dir]);
    await app.engine.whenIdle();
    const load = loadAverage();

    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.setContent('<div style="height:300000px"></div>');
    const empty = await scroll(page, 'div', 0);
    const t0 = performance.now();
    await page.goto(url);
    await page.getByTestId('queue-summary').filter({ hasText: `${rows} failed` }).waitFor({ timeout: 120_000 });
    const listedMs = performance.now() - t0;
    // Every row is listed already: no page to wait for (total 0).
    const queue = await scroll(page, '[data-testid="job-row"]', 0);
    return { rows, listedMs, load: `${load} → ${loadAverage()}`, empty, queue };
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
    const q = ui.queue;
    return {
      rows: [
        { label: '10,000-row queue: all rows listed', value: `${(ui.listedMs / 1000).toFixed(2)} s`, key: 'lower:ui_listed_s', n: ui.listedMs / 1000 },
        { label: 'empty page, same scroll (machine noise)', value: describeScroll(ui.empty), key: 'lower:ui_empty_long_frames', n: ui.empty.longFrames },
        { label: 'scroll frames (400 px each)', value: describeScroll(q), key: 'lower:ui_p95_frame_ms', n: q.p95FrameMs },
        { label: '    frames over 50 ms', value: String(q.longFrames), key: 'lower:ui_long_frames', n: q.longFrames },
        { label: '    main-thread CPU per frame', value: `${q.threadMsPerFrame.toFixed(1)} ms`, key: 'lower:ui_thread_ms', n: q.threadMsPerFrame },
        { label: '    most rows in the DOM at once', value: String(q.maxDomRows) },
        { label: 'load average (1, 5, 15 min) before → after', value: ui.load },
      ],
    };
  },
};
