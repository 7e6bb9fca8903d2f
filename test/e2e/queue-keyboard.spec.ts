import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, openPage, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * The queue without a mouse: choose files, copy a link (one row's and a whole batch's) and
 * pause/resume an upload from the keyboard alone; and axe finds no serious or critical problem
 * in the queue view (empty, busy, finished, with the after-upload panel open).
 */

const MIB = 1024 * 1024;
let host: E2eHost;

test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  await host?.close();
});

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, max = 40, key = 'Tab'): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${selector} not reached with ${max} × ${key}`);
}

async function axeSerious(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  // axe finishes its run in a blank page of its own; give the keyboard back to ours.
  await page.bringToFront();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('choose files, copy a link and copy a batch from the keyboard; axe is clean', async ({ browser }) => {
  const files = [path.join(host.workDir, 'kb-one.bin'), path.join(host.workDir, 'kb-two.bin')];
  for (const f of files) await writeRandomFile(f, 80_000);
  const { page, context, problems } = await openPage(browser, host);
  await page.goto(host.url);
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  expect(await axeSerious(page), 'empty queue').toEqual([]);

  // Sidebar first (six sections), then the drop zone's "Choose files…".
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('nav-queue')).toBeFocused();
  // Listening before the keypress: Playwright then intercepts the dialog the keypress opens.
  const chooser = page.waitForEvent('filechooser');
  await tabTo(page, '[data-testid="choose-files"]', 8);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(files);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(2);
  // The drop zone moved into the toolbar; focus moved with it.
  await expect(page.getByTestId('choose-files')).toBeFocused();

  // One row's link.
  await tabTo(page, '[data-testid="copy-link"]');
  const rowId = await page.evaluate(() => document.activeElement?.closest('[data-testid="job-row"]')?.getAttribute('data-job-id'));
  const row = page.locator(`[data-job-id="${rowId}"]`);
  const href = await row.getByTestId('job-link').getAttribute('href');
  await page.keyboard.press('Enter');
  await expect(row.getByTestId('copy-link')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(href);

  // The whole batch, one link per line.
  await tabTo(page, '[data-testid="batch-copy"]', 10, 'Shift+Tab');
  await page.keyboard.press('Enter');
  const links = await page.getByTestId('job-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')).sort());
  await expect.poll(async () => (await page.evaluate(() => navigator.clipboard.readText())).split('\n').sort()).toEqual(links);

  // A selection: tick rows (Space on a focused checkbox), then "Copy links".
  await page.getByRole('checkbox', { name: 'Select kb-one.bin' }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('checkbox', { name: 'Select kb-two.bin' }).check();
  await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.getByTestId('selection-copy').click();
  await expect.poll(async () => (await page.evaluate(() => navigator.clipboard.readText())).split('\n').sort()).toEqual(links);

  expect(await axeSerious(page), 'finished rows').toEqual([]);
  await page.getByTestId('link-actions-button').click();
  await expect(page.getByTestId('link-actions-panel')).toBeVisible();
  expect(await axeSerious(page), 'after-upload panel').toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('link-actions-panel')).toHaveCount(0);
  await expect(page.getByTestId('link-actions-button')).toBeFocused();
  expect(await problems()).toEqual([]);
  await context.close();
});

test('pause and resume an upload from the keyboard', async ({ browser }) => {
  host.app.engine.clearFinished();
  host.app.settings.set({ bandwidthLimit: MIB });
  const file = path.join(host.workDir, 'kb-big.bin');
  await writeRandomFile(file, 16 * MIB);
  const { page, context, problems } = await openPage(browser, host);
  await page.goto(host.url);
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Tab');
  await tabTo(page, '[data-testid="choose-files"]', 8);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles([file]);
  const row = page.getByTestId('job-row').filter({ hasText: 'kb-big.bin' });
  await expect(row).toHaveAttribute('data-state', 'uploading');

  await tabTo(page, '[data-testid="job-toggle"]');
  await expect(page.getByRole('button', { name: 'Pause kb-big.bin' })).toBeFocused();
  expect(await axeSerious(page), 'uploading row').toEqual([]);
  await page.keyboard.press('Enter');
  await expect(row).toHaveAttribute('data-state', 'paused');
  // The same button, now Resume, keeps the focus.
  await expect(page.getByRole('button', { name: 'Resume kb-big.bin' })).toBeFocused();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-paused-keyboard.png') });
  await page.keyboard.press('Enter');
  await expect(row).toHaveAttribute('data-state', 'uploading');
  await expect(page.getByRole('button', { name: 'Pause kb-big.bin' })).toBeFocused();

  host.app.settings.set({ bandwidthLimit: 0 });
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  expect(await problems()).toEqual([]);
  await context.close();
});
