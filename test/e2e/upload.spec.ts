import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, sha256File, sha256Url, startHost, writeRandomFile, openPage, type E2eHost } from './support.js';

/**
 * The "Must show" flow: a new user opens Ferry, drops three real files on the window, watches
 * them upload to the built-in local cloud, and copies a link whose bytes match the source.
 */

const FILES = [
  { name: 'tiny-note.bin', size: 1024 },
  { name: 'photo-300k.bin', size: 300 * 1024 },
  { name: 'video-20m.bin', size: 20 * 1024 * 1024 + 12_345 },
] as const;

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
const sources = new Map<string, { file: string; sha256: string }>();

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  for (const f of FILES) {
    const file = path.join(host.workDir, f.name);
    await writeRandomFile(file, f.size);
    sources.set(f.name, { file, sha256: await sha256File(file) });
  }
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 800 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('a new user drops three files and gets verified, copyable links', async () => {
  await page.goto(host.url);

  // First launch: an empty queue that says what to do, reachable from the keyboard.
  const zone = page.getByTestId('drop-zone');
  await expect(zone).toContainText('Drop files or folders here — they upload to the built-in local cloud, no account needed');
  await expect(page.getByTestId('job-row')).toHaveCount(0);
  // Keyboard order: the section tabs first, then the drop zone's buttons.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('nav-queue')).toBeFocused();
  // Through the other sections (Library, Studio, Media, Watch folders, Settings)…
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  await expect(page.getByTestId('nav-settings')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Choose files…' })).toBeFocused();

  const highlight = await dropFiles(page, [...sources.values()].map((s) => s.file));
  expect(highlight, 'the drop zone highlights while files are dragged over it').toBe('true');
  await expect(zone).toHaveAttribute('data-dragging', 'false');

  const rows = page.getByTestId('job-row');
  await expect(rows).toHaveCount(FILES.length);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(FILES.length, { timeout: 100_000 });

  const links = new Map<string, string>();
  for (const f of FILES) {
    const row = rows.filter({ hasText: f.name });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('job-state')).toHaveText('Done');
    const bar = row.getByRole('progressbar');
    await expect(bar).toHaveAttribute('aria-valuenow', '100');
    await expect(bar).toHaveAttribute('aria-valuemin', '0');
    await expect(bar).toHaveAttribute('aria-valuemax', '100');
    const link = row.getByTestId('job-link');
    const href = await link.getAttribute('href');
    expect(href, `${f.name} has a link`).toBeTruthy();
    await expect(link).toHaveText(href!);
    await expect(link).toHaveAttribute('target', '_blank');
    links.set(f.name, href!);
  }

  // Every link serves exactly the bytes that were dropped.
  for (const f of FILES) {
    const got = await sha256Url(links.get(f.name)!);
    expect(got.status, `GET ${f.name}`).toBe(200);
    expect(got.size, `${f.name} size`).toBe(f.size);
    expect(got.sha256, `${f.name} sha256`).toBe(sources.get(f.name)!.sha256);
  }

  // Copy puts the link on the clipboard and says so.
  const first = rows.filter({ hasText: FILES[1].name });
  await first.getByTestId('copy-link').click();
  await expect(first.getByTestId('copy-link')).toHaveText('Copied');
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard).toBe(links.get(FILES[1].name));

  await expect(page.getByTestId('queue-summary')).toHaveText(`${FILES.length} done`);
  await expect(page.getByTestId('overall-progress')).toHaveAttribute('aria-valuenow', '100');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'upload-queue.png'), fullPage: true });

  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
