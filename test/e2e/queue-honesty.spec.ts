import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { freePort } from '../support/ports.js';
import { SCREENSHOT_DIR, dropFiles, openPage, sha256File, sha256Url, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * Issue 15's "wrong today": what the queue says must be true. Progress does not go back unless
 * bytes are really sent again (and then the row says so), speed stays within the bandwidth limit,
 * pause/resume and "upload anyway" are not failed attempts, an unreachable service names its cause
 * at once with the next try and "Retry now", and the counters count what the user asked for.
 */

const MIB = 1024 * 1024;
const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: MIB, GB: 1024 * MIB };

/** Row facts sampled in the page every 50 ms for `ms`. */
type Sample = { percent: number; resent: boolean; speed: string | null; text: string; state: string };
function sampleRow(page: Page, name: string, ms: number): Promise<Sample[]> {
  return page.evaluate(
    async ({ name, ms }) => {
      const out: Sample[] = [];
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const row = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="job-row"]')).find((r) => r.textContent?.includes(name));
        if (row) {
          out.push({
            percent: Number(row.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? -1),
            resent: row.querySelector('[data-testid="job-resent"]') !== null,
            speed: row.querySelector('[data-testid="job-speed"]')?.textContent ?? null,
            text: row.textContent ?? '',
            state: row.dataset.state ?? '',
          });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    },
    { name, ms },
  );
}

function bytesPerSecond(text: string): number {
  const m = /([\d.]+) (B|KB|MB|GB)\/s/.exec(text);
  return m ? Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? 1) : 0;
}

test.describe('progress, speed and attempts', () => {
  let host: E2eHost;
  test.beforeAll(async () => {
    host = await startHost();
  });
  test.afterAll(async () => {
    await host?.close();
  });

  test('pause → resume under a bandwidth limit: no silent step back, no absurd speed, no "attempt 2"', async ({ browser }) => {
    test.setTimeout(180_000);
    const limit = 2 * MIB;
    host.app.settings.set({ bandwidthLimit: limit });
    const file = path.join(host.workDir, 'big-video.bin');
    await writeRandomFile(file, 24 * MIB);
    const { page, context, problems } = await openPage(browser, host);
    await page.goto(host.url);
    await dropFiles(page, [file]);
    const row = page.getByTestId('job-row').filter({ hasText: 'big-video.bin' });
    const bar = row.getByRole('progressbar');
    await expect(row).toHaveAttribute('data-state', 'uploading');
    // The window title carries the progress of what is uploading.
    await expect(page).toHaveTitle(/^\d+ % · uploading 1 file — Ferry$/);
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThanOrEqual(25);

    await row.getByRole('button', { name: 'Pause big-video.bin' }).click();
    await expect(row).toHaveAttribute('data-state', 'paused');
    const before = await sampleRow(page, 'big-video.bin', 300);
    await row.getByRole('button', { name: 'Resume big-video.bin' }).click();
    const after = await sampleRow(page, 'big-video.bin', 6000);

    const samples = [...before, ...after];
    for (let i = 1; i < samples.length; i++) {
      const [prev, cur] = [samples[i - 1]!, samples[i]!];
      // Going back is only allowed while the row says the bytes are being sent again.
      if (cur.percent < prev.percent) expect(cur.resent, `step back ${prev.percent} → ${cur.percent} % without saying why`).toBe(true);
    }
    const speeds = samples.flatMap((s) => (s.speed ? [bytesPerSecond(s.speed)] : []));
    expect(speeds.length).toBeGreaterThan(0);
    // The limiter's bucket holds a quarter second; the shown rate spans at least 1.5 s.
    expect(Math.max(...speeds)).toBeLessThanOrEqual(limit * 1.25);
    expect(samples.filter((s) => /attempt/i.test(s.text))).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-resumed.png') });

    host.app.settings.set({ bandwidthLimit: 0 });
    await expect(row).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(row).not.toContainText(/attempt/i);
    await expect(page).toHaveTitle('Ferry');
    const got = await sha256Url((await row.getByTestId('job-link').getAttribute('href'))!);
    expect(got.sha256).toBe(await sha256File(file));
    expect(await problems()).toEqual([]);
    await context.close();
  });

  test('counters count what was asked for; "upload anyway" is not a second attempt', async ({ browser }) => {
    const files: string[] = [];
    for (const name of ['a.bin', 'b.bin', 'c.bin', 'd.bin']) {
      const f = path.join(host.workDir, 'four', name);
      await writeRandomFile(f, 50_000);
      files.push(f);
    }
    host.app.engine.clearFinished();
    const { page, context, problems } = await openPage(browser, host);
    await page.goto(host.url);
    await dropFiles(page, files);
    await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(4);
    await expect(page.getByTestId('queue-summary')).toHaveText('4 done');

    // The same four again: already there, which is not "not done".
    await dropFiles(page, files);
    await expect(page.locator('[data-testid="job-row"][data-state="duplicate"]')).toHaveCount(4);
    await expect(page.getByTestId('queue-summary')).toHaveText('4 done · 4 already there');
    const newest = page.getByTestId('batch-header').first();
    await expect(newest.getByTestId('batch-summary')).toHaveText('4 files · 4 already there');
    await expect(page.getByTestId('nav-queue')).not.toContainText(/\d/); // nothing left

    const again = page.locator('[data-testid="job-row"][data-state="duplicate"]').filter({ hasText: 'a.bin' });
    const id = await again.getAttribute('data-job-id');
    await again.getByTestId('upload-anyway').click();
    const row = page.locator(`[data-job-id="${id}"]`);
    await expect(row).toHaveAttribute('data-state', 'done');
    await expect(row).not.toContainText(/attempt/i);
    expect(host.app.engine.get(id!)?.attempts).toBe(1);
    await expect(page.getByTestId('queue-summary')).toHaveText('5 done · 3 already there');
    await expect(newest.getByTestId('batch-summary')).toHaveText('4 files · 1 done · 3 already there');
    expect(await problems()).toEqual([]);
    await context.close();
  });
});

test.describe('an unreachable service', () => {
  let host: E2eHost;
  let port: number;
  let cloud: LocalCloud | null = null;
  const apikey = 'E2eUnreachableKey01';
  test.beforeAll(async () => {
    port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    host = await startHost({
      defaultDestination: 'filestack',
      providers: ({ limiter }) => ({ filestack: createFilestackProvider({ kind: 'filestack', apikey, uploadBase: base, cdnBase: base, fileApiBase: base, limiter }) }),
    });
  });
  test.afterAll(async () => {
    await host?.close();
    await cloud?.close();
  });

  test('names the cause at once, with the next try and Retry now', async ({ browser }) => {
    const file = path.join(host.workDir, 'report.pdf');
    await writeRandomFile(file, 120_000);
    const { page, context, problems } = await openPage(browser, host);
    await page.goto(host.url);
    await dropFiles(page, [file]);
    const row = page.getByTestId('job-row').filter({ hasText: 'report.pdf' });
    // Shown while the first attempt is still running (the provider waits out its own backoff).
    await expect(row.getByTestId('job-error')).toHaveText(`Can't reach 127.0.0.1:${port}: connection refused (ECONNREFUSED).`, { timeout: 20_000 });
    await expect(row).toHaveAttribute('data-state', 'uploading');
    await expect(row.getByTestId('job-next-try')).toContainText(/next try in \d+s|trying again/);
    await expect(row.getByTestId('job-state')).toHaveText(/^Retrying/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-unreachable.png') });

    // The service comes back; Retry now does not wait for the backoff.
    cloud = await startLocalCloud({ dataDir: path.join(host.workDir, 'cloud'), port, apps: [{ apikey }] });
    await row.getByTestId('retry-now').click();
    await expect(row).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(row.getByTestId('job-error')).toHaveCount(0);
    const got = await sha256Url((await row.getByTestId('job-link').getAttribute('href'))!);
    expect(got.sha256).toBe(await sha256File(file));
    expect(await problems()).toEqual([]);
    await context.close();
  });
});
