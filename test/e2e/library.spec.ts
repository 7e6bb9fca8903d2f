import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { SCREENSHOT_DIR, dropFiles, sha256File, sha256Url, startHost, writeRandomFile, openPage, type E2eHost } from './support.js';

/**
 * The Library journey: a new user sees the empty state, uploads three files, finds one by name,
 * copies a Markdown link, signs a 1-hour link that really serves the file, watches its countdown
 * and deletes another file from the cloud.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
const files: Record<'photo' | 'report' | 'archive', string> = { photo: '', report: '', archive: '' };

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  files.photo = path.join(host.workDir, 'sunset-beach.png');
  await writeFile(files.photo, await sharp({ create: { width: 640, height: 400, channels: 3, background: { r: 240, g: 120, b: 40 } } }).png().toBuffer());
  files.report = path.join(host.workDir, 'quarterly report.bin');
  await writeRandomFile(files.report, 200_000);
  files.archive = path.join(host.workDir, 'old-archive.bin');
  await writeRandomFile(files.archive, 50_000);
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 900 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('library: search, copy, sign a link and fetch it, see the countdown, delete', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-empty')).toContainText('Files you upload appear here once they finish');

  await page.getByTestId('nav-queue').click();
  await dropFiles(page, Object.values(files));
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(3, { timeout: 60_000 });

  await page.getByTestId('nav-library').click();
  const rows = page.getByTestId('library-row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('library-count')).toHaveText('3 files');

  // The image has a real 96×96 thumbnail from the local cloud.
  const photoRow = rows.filter({ hasText: 'sunset-beach.png' });
  const thumb = photoRow.locator('img');
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);

  // Search narrows the list by name.
  await page.getByTestId('library-search').fill('SUNSET');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-name', 'sunset-beach.png');
  await page.getByTestId('library-search').fill('');
  await expect(rows).toHaveCount(3);

  // Copy a Markdown link and read it back from the clipboard.
  await page.getByTestId('library-format').selectOption('markdown');
  const reportRow = rows.filter({ hasText: 'quarterly report.bin' });
  await reportRow.getByTestId('library-copy').click();
  await expect(reportRow.getByTestId('library-copy')).toHaveAccessibleName('Copied link to quarterly report.bin');
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  const m = /^\[quarterly report\.bin\]\((http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+)\)$/.exec(markdown);
  expect(m, markdown).not.toBeNull();
  const plain = await sha256Url(m![1]!);
  expect(plain).toMatchObject({ status: 200, size: 200_000, sha256: await sha256File(files.report) });
  // An image embeds, as the queue's copies do: Markdown `![]()`, and BBCode `[img]` from the same list of formats.
  const photoUrl = await photoRow.getAttribute('data-url');
  await photoRow.getByTestId('library-copy').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`![sunset-beach.png](${photoUrl})`);
  await page.getByTestId('library-format').selectOption('bbcode');
  await photoRow.getByTestId('library-copy').click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`[img]${photoUrl}[/img]`);
  await page.getByTestId('library-format').selectOption('markdown');

  // Sign a 1-hour link from the keyboard-reachable panel and fetch it from Node.
  await photoRow.getByTestId('library-sign').click();
  const panel = photoRow.getByTestId('sign-panel');
  await expect(panel.getByTestId('ttl-1h')).toBeChecked();
  await expect(panel.getByRole('checkbox', { name: 'Convert (processing)' })).toBeVisible();
  await panel.getByTestId('sign-create').click();
  const signedUrl = await panel.getByTestId('signed-url').inputValue();
  expect(signedUrl).toMatch(/\/security=p:[^,]+,s:[0-9a-f]{64}\/[A-Za-z0-9_-]+$/);
  const signed = await sha256Url(signedUrl);
  expect(signed.status).toBe(200);
  expect(signed.sha256).toBe(await sha256File(files.photo));
  // A tampered signature is refused.
  expect((await fetch(signedUrl.replace(/s:([0-9a-f])/, (_x, c: string) => `s:${c === 'a' ? 'b' : 'a'}`))).status).toBe(403);
  await panel.getByTestId('signed-copy').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(signedUrl);

  const expiry = photoRow.getByTestId('signed-expiry');
  await expect(expiry).toHaveCount(1);
  await expect(expiry).toHaveText(/^expires in (59 min|1 h 0 min)$/);
  await photoRow.getByTestId('signed-resign').click();
  await expect(photoRow.getByTestId('signed-link')).toHaveCount(2);

  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'library.png'), fullPage: true });

  // Delete asks first, then removes the file from the cloud and from the list.
  const archiveRow = rows.filter({ hasText: 'old-archive.bin' });
  await archiveRow.getByTestId('library-copy').click();
  const archiveLink = /\((.+)\)$/.exec(await page.evaluate(() => navigator.clipboard.readText()))![1]!;
  await archiveRow.getByTestId('library-delete').click();
  await expect(rows).toHaveCount(3);
  await archiveRow.getByTestId('library-delete-confirm').click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('library-count')).toHaveText('2 files');
  expect((await fetch(archiveLink)).status).toBe(404);

  // Open in studio works from history alone: clear the queue, then open the photo from the library.
  await expect(rows.filter({ hasText: 'quarterly report.bin' }).getByTestId('library-studio')).toHaveCount(0);
  await page.getByTestId('nav-queue').click();
  await page.getByTestId('clear-finished').click();
  await expect(page.getByTestId('job-row')).toHaveCount(0);
  await page.getByTestId('nav-library').click();
  await photoRow.getByTestId('library-studio').click();
  await expect(page.getByTestId('studio-view')).toBeVisible();
  await expect(page.getByTestId('studio-source')).toHaveValue(/.+/);
  await expect(page.getByTestId('studio-before')).toContainText('640 × 400');
  await page.getByTestId('studio-width').fill('320');
  await expect(page.getByTestId('studio-after')).toContainText('320 × 200', { timeout: 15_000 });

  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('library grid: cards with thumbnails, icon actions and signing above the grid', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-library').click();
  await page.getByTestId('library-layout-grid').click();
  await expect(page.getByTestId('library-view')).toHaveAttribute('data-layout', 'grid');
  const cards = page.getByTestId('library-grid').getByTestId('library-row');
  await expect(cards).toHaveCount(2);
  const photo = cards.filter({ hasText: 'sunset-beach.png' });
  await expect.poll(() => photo.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
  await photo.getByRole('button', { name: 'Sign a link to sunset-beach.png' }).click();
  const panel = page.getByTestId('library-grid-sign').getByTestId('sign-panel');
  await panel.getByTestId('sign-create').click();
  expect((await sha256Url(await panel.getByTestId('signed-url').inputValue())).status).toBe(200);
  // Both cards sit in one row, side by side.
  const [a, b] = await Promise.all([cards.nth(0).boundingBox(), cards.nth(1).boundingBox()]);
  expect(a?.y).toBe(b?.y);
  await page.getByTestId('library-layout-list').click();
  await expect(page.getByTestId('library-list').getByTestId('library-row')).toHaveCount(2);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
