import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import { formatLink } from '../../src-shared/links.js';
import { openPage, sha256Url, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * Managing the Library: the sort picker orders what the host returns (newest, oldest, largest,
 * smallest, name); multi-select (keyboard, shift-click range, select all loaded) with a bulk bar
 * that copies the links in the chosen format, signs them all with one lifetime and deletes with
 * one confirmation, reporting each file it could not sign or delete; the folder tree lists the folders from stored paths and
 * filters to one (everything inside it).
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  // One after the other, so finish times order them: small, then large, then middle (newest).
  const files: [string, number][] = [
    ['a-small.txt', 10],
    ['C-large.bin', 60_000],
    ['b-middle.bin', 2_000],
  ];
  for (const [name, size] of files) {
    const file = path.join(host.workDir, name);
    if (size < 100) await writeFile(file, 'x'.repeat(size));
    else await writeRandomFile(file, size);
    await host.app.engine.addPaths([file]);
    await host.app.engine.whenIdle();
  }
  ({ context, page, problems } = await openPage(browser, host));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

const names = (p: Page) => p.getByTestId('library-list').getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));

test('sort: the picker orders the Library by date, size and name', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('3 files');
  const sort = page.getByTestId('library-sort');
  await expect(sort).toHaveValue('newest');
  await expect.poll(() => names(page)).toEqual(['b-middle.bin', 'C-large.bin', 'a-small.txt']);

  const orders: [string, string[]][] = [
    ['oldest', ['a-small.txt', 'C-large.bin', 'b-middle.bin']],
    ['largest', ['C-large.bin', 'b-middle.bin', 'a-small.txt']],
    ['smallest', ['a-small.txt', 'b-middle.bin', 'C-large.bin']],
    ['name', ['a-small.txt', 'b-middle.bin', 'C-large.bin']],
    ['newest', ['b-middle.bin', 'C-large.bin', 'a-small.txt']],
  ];
  for (const [value, expected] of orders) {
    // By keyboard, as a user of the toolbar would.
    await sort.focus();
    await sort.selectOption(value);
    await expect.poll(() => names(page), value).toEqual(expected);
  }
  await expect(sort).toHaveAccessibleName('Sort');
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

const row = (p: Page, name: string) => p.getByTestId('library-list').locator(`[data-testid="library-row"][data-name="${name}"]`);
const REMOTE = 'remote-only.txt';

test('multi-select: keyboard, shift-click range and select all; copy links in the chosen format', async () => {
  // An entry on Filestack, which this host has no keys for: its delete must fail (next test).
  const journal = openJournal({ dir: host.app.dataDir });
  try {
    journal.history.append({
      jobId: 'remote-1', destination: 'filestack', sourcePath: `/elsewhere/${REMOTE}`, size: 5, sha256: '',
      url: 'https://cdn.example.invalid/H', remoteId: 'H', finishedAt: Date.now(),
    });
  } finally {
    journal.close();
  }
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('4 files');
  await expect.poll(() => names(page)).toEqual([REMOTE, 'b-middle.bin', 'C-large.bin', 'a-small.txt']);
  const bulk = page.getByTestId('library-bulk');
  await expect(bulk).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('library-bulk-copy')).toHaveCount(0);

  // Keyboard: the labelled box, Space to tick it.
  const middle = page.getByRole('checkbox', { name: 'Select b-middle.bin' });
  await middle.focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('library-selected-count')).toHaveText('1 selected');
  await expect(middle).toBeChecked();
  // Shift-click: everything from the last box ticked down to this one.
  await row(page, 'a-small.txt').getByTestId('library-select').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('library-selected-count')).toHaveText('3 selected');
  await expect(row(page, 'C-large.bin').getByTestId('library-select')).toBeChecked();
  await expect(row(page, REMOTE).getByTestId('library-select')).not.toBeChecked();

  await page.getByTestId('library-format').selectOption('markdown');
  await page.getByTestId('library-bulk-copy').click();
  const expected = await Promise.all(
    ['b-middle.bin', 'C-large.bin', 'a-small.txt'].map(async (n) => formatLink((await row(page, n).getAttribute('data-url'))!, n, 'markdown', { image: false })),
  );
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(expected.join('\n'));
  await page.getByTestId('library-format').selectOption('url');

  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await page.getByTestId('library-select-clear').click();
  await expect(bulk).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('library-list').getByRole('checkbox', { checked: true })).toHaveCount(0);
  await page.getByTestId('library-select-all').click();
  await expect(page.getByTestId('library-selected-count')).toHaveText('4 selected');
  // The grid shows the same selection on its cards.
  await page.getByTestId('library-layout-grid').click();
  await expect(page.getByTestId('library-grid').getByRole('checkbox', { checked: true })).toHaveCount(4);
  await page.getByTestId('library-layout-list').click();
  await page.getByTestId('library-select-clear').click();
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('bulk delete: one confirmation naming the count, each failure listed and kept selected', async () => {
  for (const n of [REMOTE, 'C-large.bin', 'a-small.txt']) await row(page, n).getByTestId('library-select').click();
  await expect(page.getByTestId('library-selected-count')).toHaveText('3 selected');
  const urls = await Promise.all(['C-large.bin', 'a-small.txt'].map(async (n) => (await row(page, n).getAttribute('data-url'))!));
  for (const url of urls) expect((await sha256Url(url)).status).toBe(200);

  await page.getByTestId('library-bulk-delete').click();
  await expect(page.getByRole('group', { name: 'Delete 3 files remotely?' })).toBeVisible();
  await page.getByTestId('library-bulk-delete-confirm').click();

  const failures = page.getByTestId('library-bulk-failure');
  await expect(failures).toHaveCount(1);
  await expect(failures).toHaveAttribute('data-id', 'remote-1');
  await expect(failures).toContainText(REMOTE);
  await expect(failures).toContainText(/filestack destination is not configured/i);
  await expect(page.getByTestId('library-selected-count')).toHaveText('1 selected');
  await expect(row(page, REMOTE).getByTestId('library-select')).toBeChecked();
  await expect(page.getByTestId('library-count')).toHaveText('2 files');
  await expect.poll(() => names(page)).toEqual([REMOTE, 'b-middle.bin']);
  // Really gone from the local cloud, not only from the list.
  for (const url of urls) expect((await sha256Url(url)).status).toBe(404);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('bulk sign: one lifetime for all, the signed links copied one a line, failures listed', async () => {
  // The failed delete left remote-only.txt selected; add the local file.
  await expect(page.getByTestId('library-selected-count')).toHaveText('1 selected');
  await row(page, 'b-middle.bin').getByTestId('library-select').click();
  await page.getByTestId('library-bulk-ttl').selectOption('86400');
  await page.getByTestId('library-bulk-sign').click();
  await expect(page.getByTestId('library-bulk-sign')).toHaveText(/Signed links copied/);
  const failures = page.getByTestId('library-bulk-failure');
  await expect(failures).toHaveCount(1);
  await expect(failures).toHaveAttribute('data-id', 'remote-1');
  await expect(page.getByTestId('library-bulk-failures')).toContainText('1 file not signed');
  await expect(page.getByTestId('library-error')).toHaveCount(0);

  const plain = (await row(page, 'b-middle.bin').getAttribute('data-url'))!;
  const copied = (await page.evaluate(() => navigator.clipboard.readText())).split('\n');
  expect(copied).toHaveLength(1);
  expect(copied[0]).not.toBe(plain);
  // A real signed link: the local cloud serves it, and the row counts it down from 24 hours.
  expect((await sha256Url(copied[0]!)).status).toBe(200);
  await expect(row(page, 'b-middle.bin')).toContainText(/expires in 23 h 5\d min/);
  await page.getByTestId('library-select-clear').click();
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('folders: the tree lists the stored folders and filters to a folder and what is inside', async () => {
  const journal = openJournal({ dir: host.app.dataDir });
  try {
    // Own remote ids (not stored in the local cloud): deleting one must not take the others along.
    const base = journal.history.recent(10).find((e) => e.destination === 'local')!;
    const put = (jobId: string, relativePath: string, at: number) =>
      journal.history.append({ ...base, jobId, name: relativePath.split('/').pop()!, relativePath, sourcePath: `/drop/${relativePath}`, remoteId: `gone-${jobId}`, sha256: '', finishedAt: Date.now() + at });
    put('t1', 'trip/day1/one.txt', 1);
    put('t2', 'trip/day2/two.txt', 2);
    put('w3', 'work/three.txt', 3);
  } finally {
    journal.close();
  }
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('5 files');
  // The tree (keyboard and ARIA: library-live.spec.ts): top-level folders with their counts.
  const folder = (path: string) => page.locator(`[data-testid="library-folder"][data-path="${path}"]`);
  await expect(page.getByRole('tree', { name: 'Folders' }).getByRole('treeitem')).toHaveText([/All files\s*5/, /trip\s*2/, /work\s*1/]);
  await folder('trip/').click();
  await expect(page.getByTestId('library-count')).toHaveText('2 files');
  await expect.poll(() => names(page)).toEqual(['two.txt', 'one.txt']);
  await folder('trip/').getByTestId('library-folder-toggle').click();
  await expect(folder('trip/day1/')).toContainText(/day1\s*1/);
  await expect(folder('trip/day2/')).toContainText(/day2\s*1/);
  await folder('trip/day1/').click();
  await expect(page.getByTestId('library-count')).toHaveText('1 file');
  await expect.poll(() => names(page)).toEqual(['one.txt']);
  // The sidebar still counts the whole Library.
  await expect(page.getByTestId('nav-library-count')).toHaveText(/^5\s?files$/);
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await folder('').click();
  await expect(page.getByTestId('library-count')).toHaveText('5 files');
  // Deleting the only file in work/ takes that folder off the tree.
  await folder('work/').click();
  await expect.poll(() => names(page)).toEqual(['three.txt']);
  await row(page, 'three.txt').getByTestId('library-delete').click();
  await row(page, 'three.txt').getByTestId('library-delete-confirm').click();
  await expect(folder('work/')).toHaveCount(0);
  await expect(folder('trip/')).toHaveCount(1);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
