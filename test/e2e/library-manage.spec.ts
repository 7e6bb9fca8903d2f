import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { openPage, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * Managing the Library: the sort picker orders what the host returns (newest, oldest, largest,
 * smallest, name); multi-select with a bulk bar copies, and deletes with one confirmation.
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
