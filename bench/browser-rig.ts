/**
 * What the browser benches share: a real app behind the web host, Debian's Chromium, temp
 * folders that are removed afterwards, and the frame-time figures of a scroll.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
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
