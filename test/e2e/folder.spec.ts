import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, sha256File, sha256Url, startHost, writeRandomFile, openPage, type E2eHost } from './support.js';

/**
 * Folders keep their structure: every file's row shows its path relative to the dropped or
 * picked folder (`album/sub/file`), and every file completes with the right bytes. A DataTransfer
 * built in the page cannot carry directory entries, so one test drives the "Choose folder…" input
 * and the other drops the folder through Chromium's own drag pipeline.
 */

const TREE = [
  { rel: 'album/cover.bin', size: 2048 },
  { rel: 'album/raw/shot-01.bin', size: 150 * 1024 },
  { rel: 'album/raw/deeper/notes.bin', size: 777 },
] as const;

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  for (const f of TREE) await writeRandomFile(path.join(host.workDir, f.rel), f.size);
  for (const f of TREE) await writeRandomFile(path.join(host.workDir, 'dropped', f.rel), f.size);
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 800 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('choosing a folder uploads every file with its relative path', async () => {
  await page.goto(host.url);
  await expect(page.getByRole('button', { name: 'Choose folder…' })).toBeVisible();

  await page.getByTestId('folder-input').setInputFiles(path.join(host.workDir, 'album'));

  const rows = page.getByTestId('job-row');
  await expect(rows).toHaveCount(TREE.length);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(TREE.length, { timeout: 100_000 });

  for (const f of TREE) {
    // A row shows the file's folder; the whole relative path is on the element (and its tooltip).
    const row = rows.filter({ has: page.locator(`[data-testid="job-path"][data-path="${f.rel}"]`) });
    await expect(row, `row for ${f.rel}`).toHaveCount(1);
    await expect(row.getByTestId('job-path')).toHaveText(path.posix.dirname(f.rel));
    await expect(row).toHaveAttribute('data-state', 'done');
    const href = await row.getByTestId('job-link').getAttribute('href');
    const got = await sha256Url(href!);
    expect(got.sha256, `${f.rel} sha256`).toBe(await sha256File(path.join(host.workDir, f.rel)));
  }

  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'folder-queue.png'), fullPage: true });
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('dropping a folder on the window walks it with relative paths', async () => {
  await page.getByTestId('clear-finished').click();
  await expect(page.getByTestId('job-row')).toHaveCount(0);

  await dropFiles(page, [path.join(host.workDir, 'dropped', 'album')]);

  const rows = page.getByTestId('job-row');
  await expect(rows).toHaveCount(TREE.length);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(TREE.length, { timeout: 100_000 });
  // Row order follows job creation, which need not be alphabetical; compare as sets.
  expect((await page.getByTestId('job-path').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).sort()).toEqual(TREE.map((f) => f.rel).sort());
  for (const f of TREE) {
    const row = rows.filter({ has: page.locator(`[data-testid="job-path"][data-path="${f.rel}"]`) });
    const href = await row.getByTestId('job-link').getAttribute('href');
    const got = await sha256Url(href!);
    expect(got.sha256, `${f.rel} sha256`).toBe(await sha256File(path.join(host.workDir, 'dropped', f.rel)));
  }
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
