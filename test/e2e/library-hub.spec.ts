import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { SCREENSHOT_DIR, dropFiles, openPage, startHost, type E2eHost } from './support.js';

/**
 * The Library as the hub, in browser mode: after "Clear finished" the Studio and Media still
 * offer every Library file (searchable, by type), and what they make — a stored transform, a
 * conversion — shows in the Library tied to its source.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;
let photo: string;
let video: string;
let notes: string;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  await mkdir(host.workDir, { recursive: true });
  photo = path.join(host.workDir, 'lighthouse.jpg');
  await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 90, b: 160 } } }).jpeg().toFile(photo);
  video = path.join(host.workDir, 'waves.mp4');
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-pix_fmt', 'yuv420p', video]);
  notes = path.join(host.workDir, 'notes.txt');
  await writeFile(notes, 'Meeting notes: neither an image nor a video.');
  ({ context, page, problems } = await openPage(browser, host, { width: 1200, height: 900 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

/** The Library row named `name`. */
const libraryRow = (name: string) => page.locator(`[data-testid="library-row"][data-name="${name}"]`);

test('after Clear finished, Studio and Media start from the Library and their results land there', async () => {
  await page.goto(host.url);
  await dropFiles(page, [photo, video, notes]);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('clear-finished').click();
  await expect(page.getByTestId('job-row')).toHaveCount(0);

  // Studio: only images, found through the Library although the Queue is empty.
  await page.getByTestId('nav-studio').click();
  await expect(page.getByTestId('studio-empty')).toHaveCount(0);
  const studioList = page.getByTestId('studio-source');
  await expect(studioList.locator('option:not([disabled])')).toHaveText(['lighthouse.jpg (local)']);
  await page.getByTestId('studio-source-search').fill('nothing-called-this');
  await expect(studioList.locator('option:not([disabled])')).toHaveCount(0);
  await page.getByTestId('studio-source-search').fill('LIGHT');
  await studioList.selectOption({ label: 'lighthouse.jpg (local)' });
  await expect(page.getByTestId('studio-before')).toContainText('400 × 300');
  await page.getByTestId('studio-width').fill('120');
  await expect(page.getByTestId('studio-after')).toContainText('120 × 90', { timeout: 15_000 });
  await page.getByTestId('studio-store').click();
  await expect(page.getByTestId('studio-stored')).toContainText('added to the Library', { timeout: 15_000 });
  const storedUrl = await page.getByTestId('studio-stored-url').getAttribute('href');
  // The stored result is itself a Studio source now.
  await page.getByTestId('studio-source-search').fill('');
  await expect(studioList.locator('option:not([disabled])')).toHaveText(['lighthouse-edited.jpg (local)', 'lighthouse.jpg (local)']);

  // Media: audio and video from the Library; convert the video.
  await page.getByTestId('nav-media').click();
  await expect(page.getByTestId('media-empty')).toHaveCount(0);
  const mediaList = page.getByTestId('media-source');
  await expect(mediaList.locator('option:not([disabled])')).toHaveText(['waves.mp4 (local)']);
  await page.getByTestId('media-source-type').selectOption('audio');
  await expect(mediaList.locator('option:not([disabled])')).toHaveCount(0);
  await page.getByTestId('media-source-type').selectOption('video');
  await expect(mediaList).toHaveValue(/.+/);
  await page.getByTestId('media-preset').selectOption('webm');
  await page.getByTestId('media-start').click();
  await expect(page.getByTestId('media-job')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  const convertedUrl = await page.getByTestId('media-url').getAttribute('href');
  await expect(page.getByTestId('media-in-library')).toHaveText('Added to the Library');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'media-picker.png'), fullPage: true });
  await expect(mediaList.locator('option:not([disabled])')).toHaveText(['waves.webm (local)', 'waves.mp4 (local)']);

  // The Library holds both results, each tied to its source.
  await page.getByTestId('nav-library').click();
  await expect(page.getByTestId('library-row')).toHaveCount(5);
  const sourceId = async (name: string) => (await libraryRow(name).getAttribute('data-id')) ?? '';
  const edited = libraryRow('lighthouse-edited.jpg').getByTestId('library-made-from');
  await expect(edited).toHaveAttribute('data-kind', 'transform');
  await expect(edited).toHaveAttribute('data-source-id', await sourceId('lighthouse.jpg'));
  await expect(edited).toContainText('Made in Studio from lighthouse.jpg');
  const converted = libraryRow('waves.webm').getByTestId('library-made-from');
  await expect(converted).toHaveAttribute('data-kind', 'conversion');
  await expect(converted).toHaveAttribute('data-source-id', await sourceId('waves.mp4'));
  await expect(converted).toContainText('Converted from waves.mp4');
  // Their links are the ones Studio and Media showed, and they serve what was made.
  await libraryRow('lighthouse-edited.jpg').getByTestId('library-copy').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(storedUrl);
  const meta = await sharp(Buffer.from(await (await fetch(storedUrl ?? '')).arrayBuffer())).metadata();
  expect([meta.width, meta.height]).toEqual([120, 90]);
  expect((await fetch(convertedUrl ?? '')).headers.get('content-type')).toContain('video/webm');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'library-hub.png'), fullPage: true });
  // Clicking the source's name finds it.
  await converted.getByRole('button', { name: 'waves.mp4' }).click();
  await expect(page.getByTestId('library-row')).toHaveCount(1);
  await expect(page.getByTestId('library-row')).toHaveAttribute('data-name', 'waves.mp4');
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});

test('the Library shows folder paths, finds files by them, and lists a duplicate under its new name', async () => {
  const trip = path.join(host.workDir, 'trip');
  await mkdir(path.join(trip, 'day1'), { recursive: true });
  await writeFile(path.join(trip, 'day1', 'tide-table.txt'), 'High tide 06:12, low tide 12:30.');
  await page.getByTestId('nav-queue').click();
  await page.getByTestId('folder-input').setInputFiles(trip);
  await expect(page.locator('[data-testid="job-row"][data-state="done"]')).toHaveCount(1, { timeout: 30_000 });
  // The same bytes as notes.txt under another name: nothing is sent, the name is recorded.
  const copy = path.join(host.workDir, 'minutes.txt');
  await writeFile(copy, 'Meeting notes: neither an image nor a video.');
  await dropFiles(page, [copy]);
  await expect(page.locator('[data-testid="job-row"][data-state="duplicate"]')).toHaveCount(1, { timeout: 30_000 });

  await page.getByTestId('nav-library').click();
  await page.getByTestId('library-search').fill('');
  await page.getByTestId('library-search').fill('DAY1');
  await expect(page.getByTestId('library-row')).toHaveCount(1);
  await expect(libraryRow('tide-table.txt').getByTestId('library-folder')).toHaveText('trip/day1/');

  await page.getByTestId('library-search').fill('minutes');
  const minutes = libraryRow('minutes.txt');
  await expect(minutes.getByTestId('library-made-from')).toContainText('Same file as notes.txt');
  await page.getByTestId('library-search').fill('notes.txt');
  const notesId = await libraryRow('notes.txt').getAttribute('data-id');
  const notesUrl = await libraryRow('notes.txt').getAttribute('data-url');
  await page.getByTestId('library-search').fill('minutes');
  await expect(minutes.getByTestId('library-made-from')).toHaveAttribute('data-source-id', notesId ?? '');
  // Same link, no second copy.
  await minutes.getByTestId('library-copy').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(notesUrl);
  expect(await problems(), 'no console errors or CSP violations').toEqual([]);
});
