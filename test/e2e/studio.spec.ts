import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { SCREENSHOT_DIR, dropFiles, startHost, openPage, type E2eHost } from './support.js';

/**
 * The studio journey: upload a photo, open it in the transform studio, set a width and see the
 * preview's new dimensions (in the captions and in the loaded image), copy the URL, and store
 * the result as a new file whose bytes have the new size.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
let photo: string;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  photo = path.join(host.workDir, 'harbour.jpg');
  const { width, height } = { width: 640, height: 480 };
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    raw[i] = (i / 3) % width & 255;
    raw[i + 1] = Math.floor(i / 3 / width) & 255;
    raw[i + 2] = 160;
  }
  await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toFile(photo);
  ({ context, page, problems } = await openPage(browser, host, { width: 1200, height: 900 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('resize an uploaded photo in the studio, see the new dimensions and store it', async () => {
  await page.goto(host.url);
  await page.getByTestId('nav-studio').click();
  await expect(page.getByTestId('studio-empty')).toBeVisible();

  await page.getByTestId('nav-queue').click();
  await dropFiles(page, [photo]);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(1, { timeout: 30_000 });
  // The finished row shows a real 96×96 thumbnail rendered by the local cloud.
  const thumb = page.getByTestId('job-thumb');
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);

  await page.getByTestId('nav-studio').click();
  await page.getByTestId('studio-source').selectOption({ label: 'harbour.jpg (local)' });
  await expect(page.getByTestId('studio-before')).toContainText('640 × 480 · JPEG');
  await expect(page.getByTestId('studio-after')).toContainText('640 × 480');

  await page.getByTestId('studio-width').fill('100');
  await expect(page.getByTestId('studio-after')).toContainText('100 × 75 · JPEG', { timeout: 15_000 });
  await expect(page.getByTestId('studio-before')).toContainText('640 × 480');
  // The <img> really loaded the rendered bytes (CSP allows the local cloud's origin).
  const after = page.getByTestId('studio-after-img');
  await expect.poll(() => after.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), { timeout: 15_000 }).toBe(100);
  expect(await after.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(75);
  expect(await page.getByTestId('studio-before-img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);

  // Copy URL puts the preview URL on the clipboard.
  const url = (await page.getByTestId('studio-url').textContent())?.trim() ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*resize/);
  await page.getByTestId('studio-copy').click();
  await expect(page.getByTestId('studio-copy')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  // Store as a new file: a new link whose bytes are 100 × 75.
  await page.getByTestId('studio-store').click();
  const stored = page.getByTestId('studio-stored-url');
  await expect(stored).toBeVisible({ timeout: 15_000 });
  const href = await stored.getAttribute('href');
  expect(href).toBeTruthy();
  const res = await fetch(href!);
  expect(res.status).toBe(200);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  expect([meta.width, meta.height]).toEqual([100, 75]);

  // An out-of-range value is explained, not crashed on.
  await page.getByTestId('studio-width').fill('20000');
  await expect(page.getByTestId('studio-error')).toContainText('resize', { timeout: 10_000 });
  await page.getByTestId('studio-width').fill('100');
  await expect(page.getByTestId('studio-error')).toHaveCount(0, { timeout: 10_000 });

  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'studio.png'), fullPage: true });
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
