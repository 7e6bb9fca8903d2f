import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import type { UploadHistoryEntry } from '../../src-main/engine/journal/types.js';
import { seedLibrary } from '../support/seed-library.js';
import { SCREENSHOT_DIR, openPage, startHost, writeRandomFile, type E2eHost } from './support.js';

/**
 * The Library as a desktop tool, in real Chromium over the web host: a folder tree built from the
 * stored paths (WAI-ARIA tree keys, counts, the chosen folder highlighted, axe-clean) that
 * filters the entries; a Filter menu (type, date, size, destination) done by the host; and new
 * uploads — handed to the running app as the CLI does, or from a watch folder — appearing in the
 * open Library in its order and filter, without moving what the user looks at or the selection.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
const DAY = 86_400_000;

test.beforeAll(async ({ browser }) => {
  host = await startHost({ watchStabilityMs: 300 });
  const photo = path.join(host.workDir, 'harbour.png');
  await writeFile(photo, await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer());
  const big = path.join(host.workDir, 'archive.bin');
  await writeRandomFile(big, 1_200_000);
  await host.app.engine.addPaths([photo, big]);
  await host.app.engine.whenIdle();
  ({ context, page, problems } = await openPage(browser, host, { width: 1280, height: 800 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

const names = (p: Page) => p.getByTestId('library-list').getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
const folder = (p: Page, path: string) => p.locator(`[data-testid="library-folder"][data-path="${path}"]`);
const seriousAxe = async (p: Page) =>
  (await new AxeBuilder({ page: p }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);

/** Adds entries beside the running app (a second connection to its journal), copying a real upload's link. */
function addEntries(make: (base: UploadHistoryEntry) => UploadHistoryEntry[]): void {
  const journal = openJournal({ dir: host.app.dataDir });
  try {
    const base = journal.history.recent(10).find((e) => e.destination === 'local')!;
    for (const e of make(base)) journal.history.append(e);
  } finally {
    journal.close();
  }
}

test('folder tree: built from stored paths, keyboard per the tree pattern, filters to a folder and what is inside', async () => {
  addEntries((base) =>
    (
      [
        ['t1', 'trip/day1/one.txt'],
        ['t2', 'trip/day1/two.txt'],
        ['t3', 'trip/day2/three.txt'],
        ['w1', 'work/four.txt'],
      ] as const
    ).map(([jobId, relativePath], i) => ({ ...base, jobId, name: relativePath.split('/').pop()!, relativePath, sourcePath: `/drop/${relativePath}`, mimetype: 'text/plain', size: 100, remoteId: `gone-${jobId}`, sha256: '', finishedAt: base.finishedAt + i + 1 })),
  );
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('6 files');
  const tree = page.getByRole('tree', { name: 'Folders' });
  await expect(tree).toBeVisible();
  // Top level shown, folders closed: All files (6), trip (3), work (1).
  await expect(tree.getByRole('treeitem')).toHaveText([/All files\s*6/, /trip\s*3/, /work\s*1/]);
  await expect(folder(page, '')).toHaveAttribute('aria-selected', 'true');
  await expect(folder(page, 'trip/')).toHaveAttribute('aria-expanded', 'false');
  await expect(folder(page, 'trip/')).toHaveAccessibleName('trip, 3 files');
  await expect(folder(page, 'work/')).not.toHaveAttribute('aria-expanded', /.*/);

  // One Tab stop: the selected item; then arrows move, Right opens and goes in, Enter chooses.
  await folder(page, '').focus();
  await expect(folder(page, '')).toHaveAttribute('tabindex', '0');
  await expect(folder(page, 'trip/')).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowDown');
  await expect(folder(page, 'trip/')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(folder(page, 'trip/')).toHaveAttribute('aria-expanded', 'true');
  await expect(tree.getByRole('treeitem')).toHaveText([/All files/, /trip\s*3/, /day1\s*2/, /day2\s*1/, /work\s*1/]);
  await expect(folder(page, 'trip/day1/')).toHaveAttribute('aria-level', '3');
  await page.keyboard.press('ArrowRight');
  await expect(folder(page, 'trip/day1/')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(folder(page, 'trip/day1/')).toHaveAttribute('aria-selected', 'true');
  await expect(folder(page, '')).toHaveAttribute('aria-selected', 'false');
  await expect(page.getByTestId('library-count')).toHaveText('2 files');
  await expect.poll(() => names(page)).toEqual(['two.txt', 'one.txt']);
  expect(await seriousAxe(page), 'axe with a folder chosen').toEqual([]);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'library-tree.png') });

  // Left from a leaf goes to its parent; Space chooses it (everything inside, subfolders too).
  await page.keyboard.press('ArrowLeft');
  await expect(folder(page, 'trip/')).toBeFocused();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('library-count')).toHaveText('3 files');
  await expect.poll(() => names(page)).toEqual(['three.txt', 'two.txt', 'one.txt']);
  // Left on an open folder closes it; End and Home jump.
  await page.keyboard.press('ArrowLeft');
  await expect(folder(page, 'trip/')).toHaveAttribute('aria-expanded', 'false');
  await expect(folder(page, 'trip/day1/')).toHaveCount(0);
  await page.keyboard.press('End');
  await expect(folder(page, 'work/')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(folder(page, '')).toBeFocused();
  // Focus moved, the choice did not: the chosen folder keeps the Tab stop when focus leaves.
  await expect(folder(page, 'trip/')).toHaveAttribute('aria-selected', 'true');
  // The mouse: the chevron opens without choosing, a click chooses.
  await folder(page, 'trip/').getByTestId('library-folder-toggle').click();
  await expect(folder(page, 'trip/day2/')).toBeVisible();
  await expect(page.getByTestId('library-count')).toHaveText('3 files');
  await folder(page, 'work/').click();
  await expect.poll(() => names(page)).toEqual(['four.txt']);
  await folder(page, '').click();
  await expect(page.getByTestId('library-count')).toHaveText('6 files');
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('filter menu: type, date, size and destination, done by the host, shown as removable chips', async () => {
  const now = Date.now();
  addEntries((base) => [
    { ...base, jobId: 'old-photo', name: 'old-photo.jpg', relativePath: null, mimetype: 'image/jpeg', size: 5_000, remoteId: 'gone-old', sha256: '', finishedAt: now - 40 * DAY },
    { ...base, jobId: 'week-video', name: 'week-video.mp4', relativePath: null, mimetype: 'video/mp4', size: 150 * 1024 * 1024, remoteId: 'gone-week', sha256: '', finishedAt: now - 3 * DAY },
  ]);
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-count')).toHaveText('8 files');
  const button = page.getByTestId('library-filter');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const panel = page.getByTestId('library-filter-panel');
  await expect(panel.locator('fieldset legend')).toHaveText(['Type', 'Date', 'Size', 'Destination']);
  expect(await seriousAxe(page), 'axe with the filter menu open').toEqual([]);

  await panel.getByRole('radio', { name: 'Images' }).check();
  await expect(page.getByTestId('library-count')).toHaveText('2 files');
  await expect.poll(async () => (await names(page)).sort()).toEqual(['harbour.png', 'old-photo.jpg']);
  await panel.getByRole('radio', { name: 'Last 30 days' }).check();
  await expect.poll(() => names(page)).toEqual(['harbour.png']);
  await panel.getByRole('radio', { name: 'Any type' }).check();
  await panel.getByRole('radio', { name: 'Documents & other' }).check();
  await panel.getByRole('radio', { name: '1–100 MB' }).check();
  await expect.poll(() => names(page)).toEqual(['archive.bin']);
  await expect(button).toContainText('3');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'library-filters.png') });
  // Escape closes the panel and gives focus back to the button; the chips stay.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(button).toBeFocused();
  const chips = page.getByTestId('library-filter-chip');
  await expect(chips).toHaveText(['Documents & other', 'Last 30 days', '1–100 MB']);
  await page.getByRole('button', { name: 'Remove filter: Documents & other' }).click();
  await page.getByRole('button', { name: 'Remove filter: 1–100 MB' }).click();
  await expect(page.getByTestId('library-count')).toHaveText('7 files');
  // Older than 30 days, video, the largest: each from the host's query.
  await button.click();
  await panel.getByRole('radio', { name: 'Older than 30 days' }).check();
  await expect.poll(() => names(page)).toEqual(['old-photo.jpg']);
  await panel.getByRole('radio', { name: 'Any time' }).check();
  await panel.getByRole('radio', { name: '100 MB and over' }).check();
  await expect.poll(() => names(page)).toEqual(['week-video.mp4']);
  await panel.getByRole('radio', { name: 'Filestack' }).check();
  await expect(page.getByTestId('library-empty')).toContainText('No uploads match');
  await panel.getByRole('radio', { name: 'Any destination' }).check();
  await panel.getByRole('radio', { name: 'Any size' }).check();
  await expect(page.getByTestId('library-count')).toHaveText('8 files');
  // A click outside closes the menu.
  await page.getByRole('heading', { name: 'Library' }).click();
  await expect(panel).toHaveCount(0);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('live: uploads finishing behind the open Library appear in its order and filter, scroll and selection kept', async () => {
  const { total } = seedLibrary(host.app.dataDir, 400);
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  const count = page.getByTestId('library-count');
  await expect(count).toHaveText(`${total} files`);
  const sidebar = page.getByTestId('nav-library-count');
  await expect(sidebar).toHaveText(new RegExp(`^${total}\\s?files$`));

  // Tick one entry near the top, then scroll deep into the list.
  const ticked = page.getByTestId('library-row').nth(2);
  const tickedName = await ticked.getAttribute('data-name');
  await ticked.getByRole('checkbox').check();
  await expect(page.getByTestId('library-selected-count')).toHaveText('1 selected');
  await page.evaluate(() => window.scrollTo(0, 4000));
  const firstInView = () =>
    page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="library-list"] [data-testid="library-row"]'));
      const row = rows.find((r) => r.getBoundingClientRect().top >= 0);
      return row ? { name: row.dataset.name, top: Math.round(row.getBoundingClientRect().top) } : null;
    });
  await expect.poll(firstInView).not.toBeNull();
  const before = await firstInView();

  // The CLI hands two files to the running app (the same engine call its contract reaches).
  const cli = path.join(host.workDir, 'cli');
  await mkdir(cli, { recursive: true });
  await writeFile(path.join(cli, 'handed-a.txt'), 'handed off by ferry a\n');
  await writeFile(path.join(cli, 'handed-b.txt'), 'handed off by ferry b\n');
  await host.app.engine.addPaths([path.join(cli, 'handed-a.txt'), path.join(cli, 'handed-b.txt')]);
  await expect(count).toHaveText(`${total + 2} files`);
  await expect(sidebar).toHaveText(new RegExp(`^${total + 2}\\s?files$`));
  // What the user looked at stays put (to the pixel), and the selection is kept.
  await expect.poll(firstInView).toEqual(before);
  await expect(page.getByTestId('library-selected-count')).toHaveText('1 selected');
  // Newest first: the two new entries lead the list, above what was there.
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect.poll(async () => (await names(page)).slice(0, 2).sort()).toEqual(['handed-a.txt', 'handed-b.txt']);
  await expect(page.locator(`[data-testid="library-row"][data-name="${tickedName}"]`).getByRole('checkbox')).toBeChecked();

  // In name order with a search: only a match appears, at its place among the names.
  await page.getByTestId('library-sort').selectOption('name');
  await page.getByTestId('library-search').fill('handed');
  await expect.poll(() => names(page)).toEqual(['handed-a.txt', 'handed-b.txt']);
  const watched = path.join(host.workDir, 'watched');
  await mkdir(watched, { recursive: true });
  await host.app.watch.add({ path: watched });
  await writeFile(path.join(watched, 'handed-aa.txt'), 'from the watch folder\n');
  await writeFile(path.join(watched, 'unrelated.txt'), 'does not match the search\n');
  await expect.poll(() => names(page), { timeout: 30_000 }).toEqual(['handed-a.txt', 'handed-aa.txt', 'handed-b.txt']);
  await expect(count).toHaveText('3 files');
  await expect(sidebar).toHaveText(new RegExp(`^${total + 4}\\s?files$`), { timeout: 30_000 });
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('live: uploads that finished while the window had lost the host are counted and listed once it is back', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  const count = page.getByTestId('library-count');
  await expect(count).toHaveText(/^\d+ files$/);
  const before = Number((await count.textContent())!.replace(/\D/g, ''));
  await page.getByTestId('library-search').fill('while-away');
  await expect(page.getByTestId('library-empty')).toBeVisible();

  await host.stopWeb();
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  // Finished with no window to tell: its library:added went nowhere.
  const away = path.join(host.workDir, 'while-away.txt');
  await writeFile(away, 'uploaded while the window was disconnected\n');
  await host.app.engine.addPaths([away]);
  await host.app.engine.whenIdle();
  await host.restartWeb();

  await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => names(page), { timeout: 30_000 }).toEqual(['while-away.txt']);
  await expect(page.getByTestId('nav-library-count')).toHaveText(new RegExp(`^${before + 1}\\s?files$`));
});

test('live, grid: new entries above the cards in view move them by whole lines, so the card looked at stays put', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await page.getByTestId('library-layout-grid').click();
  const count = page.getByTestId('library-count');
  await expect(count).toHaveText(/^[\d,]+ files$/);
  const total = Number((await count.textContent())!.replace(/\D/g, ''));
  await page.evaluate(() => window.scrollTo(0, 3000));
  const firstInView = () =>
    page.evaluate(() => {
      const cards = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="library-grid"] [data-testid="library-row"]'));
      const card = cards.find((c) => c.getBoundingClientRect().top >= 0);
      return card ? { name: card.dataset.name, top: Math.round(card.getBoundingClientRect().top), left: Math.round(card.getBoundingClientRect().left) } : null;
    });
  await expect.poll(firstInView).not.toBeNull();
  const before = await firstInView();
  // As many new entries as the grid has columns: every card moves one line down, then back into view.
  const columns = await page.evaluate(() => document.querySelector('[data-testid="library-grid"] li')!.querySelectorAll('[data-testid="library-row"]').length);
  const dir = path.join(host.workDir, 'grid');
  await mkdir(dir, { recursive: true });
  const files = Array.from({ length: columns }, (_, i) => path.join(dir, `grid-${i}.txt`));
  for (const [i, f] of files.entries()) await writeFile(f, `grid entry ${i}\n`);
  await host.app.engine.addPaths(files);
  await expect(count).toHaveText(`${(total + columns).toLocaleString('en-US')} files`);
  await expect.poll(firstInView).toEqual(before);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
