import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { seedLibrary } from '../support/seed-library.js';
import { dropFiles, openPage, startHost, type E2eHost } from './support.js';

/**
 * The sidebar's Library count is right from the first paint (before the Library was ever
 * opened) and follows uploads as they finish; the Library then scrolls through every entry,
 * loading more as it goes, in the list and the grid (both axe-clean: no serious or critical).
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  // Two uploads before the window opens.
  const photo = path.join(host.workDir, 'harbour.png');
  await writeFile(photo, await sharp({ create: { width: 200, height: 120, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer());
  const notes = path.join(host.workDir, 'notes.txt');
  await writeFile(notes, 'two uploads before the window opens\n');
  await host.app.engine.addPaths([photo, notes]);
  await host.app.engine.whenIdle();
  ({ context, page, problems } = await openPage(browser, host));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('sidebar: the Library count shows at start and grows as uploads finish', async () => {
  await page.goto(host.url);
  const count = page.getByTestId('nav-library-count');
  await expect(count).toHaveText(/^2\s?files$/);
  await expect(page.getByTestId('library-view')).toHaveCount(0);

  const third = path.join(host.workDir, 'third.txt');
  await writeFile(third, 'dropped while the window is open\n');
  await dropFiles(page, [third]);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(3);
  await expect(count).toHaveText(/^3\s?files$/);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('library: scrolling loads every entry, in the list and in the grid, with few rows in the DOM', async () => {
  const { added, total } = seedLibrary(host.app.dataDir, 600);
  const oldest = added.at(-1)!.name!;
  await page.goto(host.url);
  await expect(page.getByTestId('nav-library-count')).toHaveText(new RegExp(`^${total}\\s?files$`));
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText(`${total} files`);

  for (const layout of ['list', 'grid'] as const) {
    await page.getByTestId(`library-layout-${layout}`).click();
    const rows = page.getByTestId(`library-${layout}`).getByTestId('library-row');
    await expect(rows.first()).toBeVisible();
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`), `axe, ${layout}`).toEqual([]);
    // Scroll to the bottom until the oldest entry is there: pages load as the end comes into view.
    await expect
      .poll(async () => {
        await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        return rows.filter({ hasText: oldest }).count();
      })
      .toBe(1);
    expect(await rows.count()).toBeLessThan(200);
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
