/**
 * What the browser benches share: a real app behind the web host, Debian's Chromium, temp
 * folders that are removed afterwards, and the frame-time figures of a scroll.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createApp, type FerryApp } from '../src-main/hosts/compose.js';
import { startWebHost } from '../src-main/hosts/web/web-host.js';

// FERRY_BENCH_STATIC_DIR points at another build of the renderer (to compare two builds in one sitting).
const STATIC_DIR = path.resolve(process.env.FERRY_BENCH_STATIC_DIR ?? 'dist/renderer');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export type BrowserRig = { readonly app: FerryApp; readonly url: string; readonly browser: Browser; readonly dataDir: string; readonly workDir: string };

/** Runs `fn` against a fresh app in Chromium, or says why it cannot run here. */
export async function withBrowserApp<T>(name: string, fn: (rig: BrowserRig) => Promise<T>): Promise<T | { skipped: string }> {
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) return { skipped: 'dist/renderer is missing (npm run build)' };
  if (!existsSync('/usr/bin/chromium')) return { skipped: '/usr/bin/chromium is missing' };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `ferry-bench-${name}-data-`));
  const workDir = await mkdtemp(path.join(os.tmpdir(), `ferry-bench-${name}-src-`));
  const app = await createApp({ dataDir, host: 'web' });
  const web = await startWebHost({ app, port: 0, staticDir: STATIC_DIR });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    return await fn({ app, url: web.url, browser, dataDir, workDir });
  } finally {
    await browser.close();
    await web.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

export type FrameFigures = { frames: number; medianFrameMs: number; p95FrameMs: number; longFrames: number };

/** Median, p95 and frames over 50 ms (a frame a person sees stutter) of measured frame times. */
export function frameFigures(frameTimes: readonly number[]): FrameFigures {
  const sorted = [...frameTimes].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { frames: sorted.length, medianFrameMs: at(0.5), p95FrameMs: at(0.95), longFrames: sorted.filter((t) => t > 50).length };
}

/**
 * `cpuMsPerFrame`: the page's main-thread task time (CDP TaskDuration, wall clock while a task
 * runs) per frame; `threadMsPerFrame`: the main thread's CPU time (CDP ThreadTime) per frame, the
 * work a frame costs, which the machine's load moves least (a loaded machine stretches wall time).
 */
export type ScrollFigures = { frames: number; medianFrameMs: number; p95FrameMs: number; longFrames: number; maxDomRows: number; cpuMsPerFrame: number; threadMsPerFrame: number };

/**
 * Scrolls from the top to the end in 400 px steps, one per frame, recording each frame. When
 * the end is reached before every entry is loaded, it keeps stepping (frames still count) until
 * the view has loaded every entry. Source text: this file is type-checked without the DOM library.
 */
const scrollScript = (rowSelector: string, total: number): string => `(async () => {
  const frameTimes = [];
  let maxDomRows = 0;
  window.scrollTo(0, 0);
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  let last = await frame();
  // The view says how many entries it has loaded (data-loaded).
  const loaded = () => Number(document.querySelector('[data-loaded]')?.getAttribute('data-loaded') ?? 0);
  for (let y = 0, guard = 0; guard < 20000; y += 400, guard++) {
    window.scrollTo(0, y);
    const now = await frame();
    frameTimes.push(now - last);
    last = now;
    maxDomRows = Math.max(maxDomRows, document.querySelectorAll(${JSON.stringify(rowSelector)}).length);
    const end = document.documentElement.scrollHeight - window.innerHeight;
    if (y >= end && loaded() >= ${total}) break;
  }
  return { frameTimes, maxDomRows };
})()`;

/** With FERRY_BENCH_PROFILE=1, the renderer's functions by self time during a scroll (stderr). */
async function profiled<T>(page: Page, label: string, run: () => Promise<T>): Promise<T> {
  if (process.env.FERRY_BENCH_PROFILE !== '1') return run();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const result = await run();
  const { profile } = await cdp.send('Profiler.stop');
  const total = profile.samples?.length ?? 1;
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber}`;
    byFn.set(name, (byFn.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 20);
  console.error(`profile of ${label}:\n${top.map(([n, c]) => `  ${((c / total) * 100).toFixed(1).padStart(5)} %  ${n}`).join('\n')}`);
  await cdp.detach();
  return result;
}

/** Scrolls the page end to end in 400 px steps, one per frame (see scrollScript), and measures it. */
export async function scroll(page: Page, rowSelector: string, total: number): Promise<ScrollFigures> {
  // One session for both readings: enabling the domain starts its counters from zero.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const seconds = async (): Promise<{ task: number; thread: number }> => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const of = (name: string): number => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    return { task: of('TaskDuration'), thread: of('ThreadTime') };
  };
  const before = await seconds();
  const measured = (await profiled(page, rowSelector, () => page.evaluate(scrollScript(rowSelector, total)))) as { frameTimes: number[]; maxDomRows: number };
  const after = await seconds();
  await cdp.detach();
  const figures = frameFigures(measured.frameTimes);
  const perFrame = (s: number): number => (s * 1000) / Math.max(1, figures.frames);
  return { ...figures, maxDomRows: measured.maxDomRows, cpuMsPerFrame: perFrame(after.task - before.task), threadMsPerFrame: perFrame(after.thread - before.thread) };
}

/** One line of a scroll's figures. */
export const describeScroll = (f: ScrollFigures): string =>
  `${f.frames} frames, median ${f.medianFrameMs.toFixed(1)} ms, p95 ${f.p95FrameMs.toFixed(1)} ms, ${f.longFrames} over 50 ms, main thread ${f.threadMsPerFrame.toFixed(1)} ms CPU (${f.cpuMsPerFrame.toFixed(1)} ms in tasks) per frame`;
