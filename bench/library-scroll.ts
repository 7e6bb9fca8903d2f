/**
 * Bench: a 10,000-entry Library in the real renderer (Chromium through the web host), scrolled
 * end to end in the list and in the grid, one 400 px step per animation frame, with pages loading
 * as the end comes into view. Prints frame times, frames over 50 ms and the most entries in the
 * DOM, next to the same scroll of an empty page of the same height in the same browser (the
 * machine's own frame noise: it is shared, so its load average is printed too). Three real uploads
 * (two images, a text file) are repeated under new names to 10,000 entries (test/support/
 * seed-library.ts), so thumbnails are real local-cloud renders. Run by `npm run bench` after a
 * build (`FERRY_BENCH_ONLY=library-scroll`); standalone: `npx tsx bench/library-scroll.ts`.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { seedLibrary } from '../test/support/seed-library.js';
import { describeScroll as describe, scroll, withBrowserApp, type ScrollFigures } from './browser-rig.js';
import type { BenchModule, Row } from './lib.js';

export type LibraryScrollResult = { entries: number; listedMs: number; load: string; empty: ScrollFigures; list: ScrollFigures; grid: ScrollFigures } | { skipped: string };

export async function benchLibraryScroll(entries = 10_000): Promise<LibraryScrollResult> {
  return withBrowserApp('lib', async ({ app, url, browser, dataDir, workDir }) => {
    const files = [path.join(workDir, 'meadow.png'), path.join(workDir, 'dusk.jpg'), path.join(workDir, 'notes.txt')];
    await writeFile(files[0]!, await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 90, g: 160, b: 70 } } }).png().toBuffer());
    await writeFile(files[1]!, await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 110, b: 60 } } }).jpeg().toBuffer());
    await writeFile(files[2]!, 'a text file: its entries have no thumbnail\n');
    await app.engine.addPaths(files);
    await app.engine.whenIdle();
    const { total } = seedLibrary(dataDir, entries - files.length);
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The machine's own noise: an empty page as tall as a long list, scrolled the same way.
    await page.setContent('<div style="height:600000px"></div>');
    const empty = await scroll(page, 'div', 0);
    console.error(`library-scroll: ${total} entries seeded; empty page scrolled`);

    const t0 = performance.now();
    await page.goto(url);
    await page.getByTestId('nav-library').click();
    await page.getByTestId('library-count').filter({ hasText: total.toLocaleString('en-US') }).waitFor({ timeout: 120_000 });
    const listedMs = performance.now() - t0;
    const list = await scroll(page, '[data-testid="library-row"]', total);
    console.error('library-scroll: list scrolled');
    await page.getByTestId('library-layout-grid').click();
    const grid = await scroll(page, '[data-testid="library-row"]', total);
    return { entries: total, listedMs, load: `${load} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`, empty, list, grid };
  });
}


if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLibraryScroll(Number(process.env.FERRY_BENCH_LIBRARY_ENTRIES ?? 10_000))));
}

/** The module run.ts runs. */
export const libraryScrollBench: BenchModule = {
  name: 'library-scroll',
  async run() {
    const r = await benchLibraryScroll(Number(process.env.FERRY_BENCH_LIBRARY_ENTRIES ?? 10_000));
    if ('skipped' in r) return { rows: [{ label: '10,000-entry Library scroll', value: `skipped: ${r.skipped}` }] };
    const rows: Row[] = [
      { label: `${r.entries.toLocaleString('en-US')}-entry Library: first page listed`, value: `${(r.listedMs / 1000).toFixed(2)} s` },
      { label: 'empty page, same scroll (machine noise)', value: describe(r.empty), key: 'lower:lib_empty_long_frames', n: r.empty.longFrames },
      { label: 'Library list, end to end (400 px steps)', value: describe(r.list), key: 'lower:lib_list_long_frames', n: r.list.longFrames },
      { label: '    main-thread CPU per frame', value: `${r.list.threadMsPerFrame.toFixed(1)} ms`, key: 'lower:lib_list_thread_ms', n: r.list.threadMsPerFrame },
      { label: '    most entries in the DOM at once', value: String(r.list.maxDomRows) },
      { label: 'Library grid, end to end (400 px steps)', value: describe(r.grid), key: 'lower:lib_grid_long_frames', n: r.grid.longFrames },
      { label: '    main-thread CPU per frame', value: `${r.grid.threadMsPerFrame.toFixed(1)} ms`, key: 'lower:lib_grid_thread_ms', n: r.grid.threadMsPerFrame },
      { label: '    most entries in the DOM at once', value: String(r.grid.maxDomRows) },
      { label: 'load average (1, 5, 15 min) before → after', value: r.load },
    ];
    return { rows };
  },
};
