import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { SCREENSHOT_DIR, dropFiles, openPage, startHost, type E2eHost } from './support.js';

/**
 * Acting on the link without a click (ShareX's after-upload tasks): the After upload menu sets,
 * per destination, to copy each new link in a format; a batch's links land on the clipboard
 * together, images embedded. A watch folder can have its own actions (here BBCode).
 */

let host: E2eHost;
let savedRoots: string | undefined;

test.beforeAll(async () => {
  // Browser mode only lets the renderer name folders under FERRY_ALLOWED_ROOTS (path-policy.ts).
  savedRoots = process.env.FERRY_ALLOWED_ROOTS;
  process.env.FERRY_ALLOWED_ROOTS = os.tmpdir();
  host = await startHost({ watchStabilityMs: 300 });
});
test.afterAll(async () => {
  await host?.close();
  if (savedRoots === undefined) delete process.env.FERRY_ALLOWED_ROOTS;
  else process.env.FERRY_ALLOWED_ROOTS = savedRoots;
});

async function png(file: string, r: number): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 32, height: 24, channels: 3, background: { r, g: 80, b: 160 } } }).png().toFile(file);
  return file;
}

const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());

test('a batch’s links are copied as Markdown images the moment they are verified', async ({ browser }) => {
  const { page, context, problems } = await openPage(browser, host);
  await page.goto(host.url);
  // Something in the queue so the toolbar (and its After upload menu) shows.
  await dropFiles(page, [await png(path.join(host.workDir, 'first.png'), 10)]);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(1);
  await page.evaluate(() => navigator.clipboard.writeText('untouched'));
  expect(await clipboard(page)).toBe('untouched');

  // Keyboard: open the menu, choose Markdown for the local cloud, close with Escape.
  await page.getByTestId('link-actions-button').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('link-actions-local-copy')).toBeFocused();
  await page.getByTestId('link-actions-local-copy').selectOption('markdown');
  await expect.poll(() => host.app.settings.get().linkActions.local.copy).toBe('markdown');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-after-upload.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('link-actions-panel')).toHaveCount(0);

  await dropFiles(page, [await png(path.join(host.workDir, 'red.png'), 200), await png(path.join(host.workDir, 'blue.png'), 30)]);
  const rows = page.locator('[data-testid="job-row"][data-state="done"]');
  await expect(rows).toHaveCount(3);
  const url = async (name: string): Promise<string> => (await rows.filter({ hasText: name }).getByTestId('job-link').getAttribute('href')) ?? '';
  const want = [`![red.png](${await url('red.png')})`, `![blue.png](${await url('blue.png')})`].sort();
  await expect.poll(async () => (await clipboard(page)).split('\n').sort()).toEqual(want);
  await expect(page.getByTestId('link-actions-status')).toContainText('Copied 2 links');
  expect(await problems()).toEqual([]);
  await context.close();
});

test('a watch folder’s own link actions win over its destination’s', async ({ browser }) => {
  const inbox = path.join(host.workDir, 'screenshots');
  await mkdir(inbox);
  const { page, context, problems } = await openPage(browser, host);
  await page.goto(host.url);
  await page.getByTestId('nav-watch').click();
  await page.getByTestId('watch-path').fill(inbox);
  await page.getByTestId('watch-own-links').check();
  await page.getByTestId('watch-links-copy').selectOption('bbcode');
  await page.getByTestId('watch-submit').click();
  await expect(page.locator(`[data-testid="watch-row"][data-path="${inbox}"]`)).toContainText('Watching');
  expect(host.app.watch.list()[0]?.linkActions).toEqual({ copy: 'bbcode', open: false, notify: true });

  await page.getByTestId('nav-queue').click();
  await png(path.join(inbox, 'shot-1.png'), 99);
  const row = page.locator('[data-testid="job-row"][data-state="done"]').filter({ hasText: 'shot-1.png' });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  const href = await row.getByTestId('job-link').getAttribute('href');
  await expect.poll(() => clipboard(page)).toBe(`[img]${href}[/img]`);
  // The batch header says where it came from.
  await expect(page.getByTestId('batch-header').first()).toContainText('Watch folder');
  expect(await problems()).toEqual([]);
  await context.close();
});

test('"Open in browser" opens the new link in a tab (or offers to, when the browser blocks it)', async ({ browser }) => {
  host.app.settings.set({ linkActions: { ...host.app.settings.get().linkActions, local: { copy: null, open: true, notify: false } } });
  const { page, context, problems } = await openPage(browser, host);
  await page.goto(host.url);
  const popup = context.waitForEvent('page');
  await dropFiles(page, [await png(path.join(host.workDir, 'open-me.png'), 180)]);
  const row = page.locator('[data-testid="job-row"][data-state="done"]').filter({ hasText: 'open-me.png' });
  const href = await row.getByTestId('job-link').getAttribute('href');
  const openButton = page.getByTestId('link-actions-open');
  const first = await Promise.race([popup.then(() => 'tab' as const), openButton.waitFor().then(() => 'button' as const)]);
  if (first === 'button') await openButton.click();
  const tab = await popup;
  await tab.waitForLoadState();
  expect(tab.url()).toBe(href);
  expect(await problems()).toEqual([]);
  await context.close();
});
