/**
 * `npm run screenshots`: the README's pictures of the window. Starts a browser-mode Ferry on a
 * fresh data folder (real engine, embedded local cloud), uploads a handful of real files through
 * the window and behind it, and saves one 1280×800 PNG per view to assets/screenshots/ (plus one
 * in the dark theme). Needs a build (`npm run build`) and /usr/bin/chromium; run it after UI
 * changes so the README shows the window as it is.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import sharp from 'sharp';
import { dropFiles, openPage, startHost } from './support.js';

const OUT = path.resolve('assets/screenshots');
const SIZE = { width: 1280, height: 800 };
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** A picture worth a thumbnail: a two-colour gradient with a sun and hills (SVG rendered by sharp). */
function scene(width: number, height: number, sky: [string, string], ground: string, format: 'png' | 'jpeg'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.7}" cy="${height * 0.35}" r="${height * 0.12}" fill="#fff3b0"/>
    <path d="M0 ${height * 0.75} Q ${width * 0.3} ${height * 0.55} ${width * 0.6} ${height * 0.72} T ${width} ${height * 0.68} V ${height} H 0 Z" fill="${ground}"/>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return (format === 'png' ? image.png() : image.jpeg({ quality: 85 })).toBuffer();
}

async function shot(page: Page, name: string): Promise<void> {
  // Settle: pending thumbnails and fonts, then a frame.
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.mouse.move(0, 0);
  await page.evaluate('document.activeElement?.blur()');
  // Source text: tsx would wrap a callback in helpers the page does not have.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  // Palette PNGs keep these UI pictures small without visible loss.
  const small = await sharp(file).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toBuffer();
  await writeFile(file, small);
  console.log(`${file}: ${(small.length / 1024).toFixed(0)} KB`);
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const host = await startHost();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    const w = host.workDir;
    // An earlier batch, uploaded behind the window: a trip folder of photos and notes. Every
    // twelfth picture repeats an earlier one, so the queue also shows "Already there".
    const trip = path.join(w, 'trip-to-lisbon');
    const palettes: [[string, string], string][] = [
      [['#1e3c72', '#2a5298'], '#2d6a4f'], [['#ff7e5f', '#feb47b'], '#6d4c41'], [['#56ccf2', '#2f80ed'], '#40916c'],
      [['#f7971e', '#ffd200'], '#8d6e63'], [['#8e2de2', '#4a00e0'], '#1b4332'], [['#00b09b', '#96c93d'], '#33691e'],
    ];
    const days = ['day-1', 'day-2', 'day-3'];
    for (let i = 0; i < 18; i++) {
      const [sky, ground] = palettes[i % palettes.length]!;
      const file = path.join(trip, days[i % 3]!, `IMG_${4210 + i}.jpg`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await scene(1600 + (i % 4) * 200, 1067, sky, ground, 'jpeg'));
    }
    await writeFile(path.join(trip, 'itinerary.md'), '# Lisbon\n\n* Alfama\n* Belém\n* Sintra\n');
    await writeFile(path.join(trip, 'budget.csv'), 'item,eur\nflights,240\nhotel,380\n');
    const video = path.join(trip, 'tram-28.mp4');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=3:size=640x360:rate=25', '-pix_fmt', 'yuv420p', video]);
    await host.app.engine.addPaths([trip]);
    await host.app.engine.whenIdle();

    const { context, page } = await openPage(browser, host, SIZE);
    await page.goto(host.url);
    // Today's batch, dropped on the window: screenshots and a banner.
    const today = [
      ['screenshot-dashboard.png', await scene(1440, 900, ['#e0eafc', '#cfdef3'], '#90a4ae', 'png')],
      ['banner-summer-sale.png', await scene(1200, 400, ['#f12711', '#f5af19'], '#4e342e', 'png')],
      ['team-photo.jpg', await scene(2000, 1333, ['#83a4d4', '#b6fbff'], '#2e7d32', 'jpeg')],
      ['release-notes.txt', Buffer.from('Ferry 0.1: a desktop uploader for Filestack and ImageKit.\n')],
    ] as const;
    const dropped: string[] = [];
    for (const [name, bytes] of today) {
      const file = path.join(w, 'today', name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      dropped.push(file);
    }
    // The OS drop path (CDP): tsx would wrap a page.evaluate callback in helpers the page lacks.
    await dropFiles(page, dropped);
    // Every file finished: 19 uploaded, 6 repeats already there (the summary names no files left).
    for (let i = 0; !/19 done.*6 already there/.test((await page.getByTestId('queue-summary').textContent()) ?? ''); i++) {
      if (i > 600) throw new Error('the uploads did not finish in 2 minutes');
      await page.waitForTimeout(200);
    }
    await shot(page, 'queue');

    await page.getByTestId('nav-library').click();
    await page.getByTestId('library-row').first().waitFor();
    // The folder tree opened one level, so the picture shows it as a tree.
    await page.getByTestId('library-folder-toggle').first().click();
    await shot(page, 'library-list');
    await page.getByTestId('library-layout-grid').click();
    await page.getByTestId('library-grid').waitFor();
    await shot(page, 'library-grid');
    await page.getByTestId('library-layout-list').click();

    await page.getByTestId('nav-studio').click();
    await page.getByTestId('studio-source').selectOption({ label: 'team-photo.jpg (local)' });
    await page.getByTestId('studio-width').fill('800');
    await page.getByTestId('studio-after').filter({ hasText: '800 × ' }).waitFor({ timeout: 30_000 });
    await shot(page, 'studio');

    await page.getByTestId('nav-media').click();
    await page.getByTestId('media-source').selectOption({ label: 'tram-28.mp4 (local)' }).catch(async () => {
      await page.getByTestId('media-source').selectOption({ index: 1 });
    });
    await page.getByTestId('media-preset').selectOption('webm');
    await page.getByTestId('media-start').click();
    await page.getByTestId('media-status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    await shot(page, 'media');

    await page.getByTestId('nav-watch').click();
    await page.getByTestId('watch-path').fill(path.join(w, 'today'));
    await page.getByTestId('watch-submit').click();
    await page.getByTestId('watch-empty').waitFor({ state: 'detached' });
    await shot(page, 'watch');

    await page.getByTestId('nav-settings').click();
    await shot(page, 'settings');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('nav-queue').click();
    await shot(page, 'queue-dark');
    await context.close();
  } finally {
    await browser.close();
    await host.close();
  }
}

await main();
