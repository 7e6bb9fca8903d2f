import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { seedLibrary } from '../support/seed-library.js';
import { openPage, startHost, type E2eHost } from './support.js';

/**
 * The Library's windowed list hands a row's DOM (and its components) to another entry as the list
 * scrolls. What a user set on an entry must stay with that entry, not with the recycled row:
 * keyboard focus while its row is in the window, the selection, and an open sign panel.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  const photo = path.join(host.workDir, 'pier.png');
  await writeFile(photo, await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 40, g: 120, b: 180 } } }).png().toBuffer());
  const notes = path.join(host.workDir, 'notes.txt');
  await writeFile(notes, 'a text entry between the pictures\n');
  // One after the other, so the notes are the newest upload: the seeded copies alternate from the
  // newest (notes-00000, pier-00001, notes-00002, …), which the names below rely on.
  await host.app.engine.addPaths([photo]);
  await host.app.engine.whenIdle();
  await host.app.engine.addPaths([notes]);
  await host.app.engine.whenIdle();
  seedLibrary(host.app.dataDir, 400);
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 700 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

const rowNamed = (name: string) => page.locator(`[data-testid="library-row"][data-name="${name}"]`);
/** Scrolls by `dy` px and waits two frames (the list re-windows on scroll, then paints). */
const scrollBy = (dy: number) =>
  page.evaluate(async (by) => {
    window.scrollBy(0, by);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }, dy);

test('recycled rows: focus, selection and an open sign panel stay with their entry as the list scrolls', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('402 files');
  const rows = page.getByTestId('library-list').getByTestId('library-row');
  await expect(rows.first()).toBeVisible();
  const inDom = await rows.count();

  // Focus an entry's copy button from the keyboard, then scroll a few rows: the rows that left at
  // the top gave their slots to rows coming in below, and focus is still on this entry's button.
  const target = 'pier-00003.png';
  await rowNamed(target).getByTestId('library-copy').focus();
  await scrollBy(3 * 56);
  const focused = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { testid: el?.dataset.testid ?? null, row: el?.closest<HTMLElement>('[data-testid="library-row"]')?.dataset.name ?? null };
  });
  expect(focused).toEqual({ testid: 'library-copy', row: target });
  // Tab goes on to the next control of the same entry, as before the scroll.
  await page.keyboard.press('Tab');
  await expect(rowNamed(target).getByTestId('library-sign')).toBeFocused();

  // Select one entry and open the sign panel of another, scroll far enough that every row in the
  // DOM is handed to other entries, and back.
  const picked = 'notes-00004.txt';
  await rowNamed(picked).getByTestId('library-select').check();
  await rowNamed(target).getByTestId('library-sign').click();
  await expect(rowNamed(target).getByTestId('sign-panel')).toBeVisible();
  await scrollBy(inDom * 2 * 56);
  await expect(rowNamed(target)).toHaveCount(0);
  // No other entry took over the panel or the selection with the row.
  await expect(page.getByTestId('sign-panel')).toHaveCount(0);
  await expect(page.getByTestId('library-list').getByTestId('library-select').and(page.locator(':checked'))).toHaveCount(0);
  expect(await rows.count()).toBe(inDom);

  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(rowNamed(picked).getByTestId('library-select')).toBeChecked();
  await expect(page.getByTestId('library-list').getByTestId('library-select').and(page.locator(':checked'))).toHaveCount(1);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
