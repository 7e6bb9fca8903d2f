import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, startHost, openPage, type E2eHost } from './support.js';

/**
 * The media journey: upload a real video, start a WebM conversion, watch its timeline reach
 * completed, copy the result link and fetch it.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
let video: string;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  video = path.join(host.workDir, 'test-pattern.mp4');
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-pix_fmt', 'yuv420p', video]);
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 800 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('convert an uploaded video to WebM and copy the result link', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-media').click();
  await expect(page.getByTestId('media-empty')).toBeVisible();

  await page.getByTestId('nav-queue').click();
  await dropFiles(page, [video]);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(1, { timeout: 30_000 });

  await page.getByTestId('nav-media').click();
  await expect(page.getByTestId('media-source')).toContainText('test-pattern.mp4');
  await expect(page.getByTestId('media-source')).not.toHaveValue('');
  await page.getByTestId('media-preset').selectOption('webm');
  await page.getByTestId('media-start').click();

  const job = page.getByTestId('media-job');
  await expect(job).toHaveCount(1);
  await expect(job).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  await expect(job.getByTestId('media-status')).toHaveText('Ready');
  const steps = await job.getByTestId('media-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  expect(steps[0]).toBe('uploaded');
  expect(steps[1]).toBe('pending');
  expect(steps.at(-1)).toBe('completed');

  await job.getByTestId('media-copy').click();
  await expect(job.getByTestId('media-copy')).toHaveText('Copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await job.getByTestId('media-url').getAttribute('href'));
  const res = await fetch(link);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('video/webm');
  expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);

  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'media.png'), fullPage: true });

  // A clicked "conversion ready" notification (app:reveal from the main side) opens Media on it.
  const mediaId = await job.getAttribute('data-id');
  await page.getByTestId('nav-queue').click();
  host.app.reveal({ view: 'media', id: mediaId ?? '' });
  await expect(page.getByTestId('media-view')).toBeVisible();
  await expect(page.getByTestId('media-job')).toHaveAttribute('data-revealed', 'true');
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
