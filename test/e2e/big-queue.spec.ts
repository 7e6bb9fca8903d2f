import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, startHost, watchPageProblems, type E2eHost } from './support.js';

/**
 * A 10,000-row queue stays usable: the list is windowed (only rows near the viewport are in the
 * DOM), scrolling reaches the first, middle and last rows, and rows still respond to clicks.
 * Speed is measured in the benchmark; this test asserts behaviour only. Empty files make 10,000
 * jobs without 10,000 uploads: each ends at once as "Skipped: the file is empty".
 */
const ROWS = 10_000;
let host: E2eHost;

test.beforeAll(async () => {
  host = await startHost();
  const dir = path.join(host.workDir, 'many');
  await mkdir(dir);
  for (let i = 0; i < ROWS; i++) await writeFile(path.join(dir, `row-${String(i).padStart(5, '0')}.txt`), '');
  const added = await host.app.engine.addPaths([dir]);
  expect(added.jobIds).toHaveLength(ROWS);
  await host.app.engine.whenIdle();
});

test.afterAll(async () => {
  await host?.close();
});

test('10,000 rows: windowed DOM, scroll to any row, rows still respond', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = await watchPageProblems(page);
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.goto(host.url);
  await expect(page.getByTestId('queue-summary')).toContainText(`${ROWS} failed`, { timeout: 60_000 });

  const rows = page.getByTestId('job-row');
  // One line per file: more than 20 rows fit an 800 px window.
  const fullyVisible = await rows.evaluateAll((els) => els.filter((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }).length);
  expect(fullyVisible).toBeGreaterThanOrEqual(20);
  const rendered = await rows.count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(100);
  await expect(rows.first()).toContainText('row-00000.txt');

  for (const target of ['row-05000.txt', 'row-09999.txt']) {
    const index = Number(target.slice(4, 9));
    await page.evaluate((fraction) => window.scrollTo(0, document.documentElement.scrollHeight * fraction), index / ROWS);
    // Row heights are measured as they render, so a jump may land a few rows off; like a user,
    // scroll on from the rows now on screen until the wanted one shows.
    await expect(async () => {
      await page.evaluate(async (want) => {
        // The row at the middle of the viewport (not the first in the DOM, which may be an
        // overscan row above it) says how far off the jump landed.
        const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="job-row"]'));
        const middle = window.innerHeight / 2;
        const here = rows.find((r) => {
          const box = r.getBoundingClientRect();
          return box.top <= middle && box.bottom >= middle;
        }) ?? rows[0];
        const seen = Number(/row-(\d{5})/.exec(here?.textContent ?? '')?.[1] ?? want);
        window.scrollBy(0, (want - seen) * (here?.offsetHeight ?? 100));
        // Two frames: the list re-windows on scroll, then paints.
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      }, index);
      await expect(rows.filter({ hasText: target })).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 20_000 });
    expect(await rows.count()).toBeLessThan(100);
  }

  // The last row is still a live row: Retry reaches the engine, which runs that job again: it
  // fails anew (being empty), with a newer failure than the one the row showed, and the row
  // still says why.
  const last = rows.filter({ hasText: 'row-09999.txt' });
  const job = host.app.engine.list().find((j) => j.name === 'row-09999.txt')!;
  const pushed: { kind: string; updatedAt: number }[] = [];
  const off = host.app.engine.on('jobs:updated', ({ jobs }) => {
    for (const j of jobs) if (j.id === job.id) pushed.push({ kind: j.status.kind, updatedAt: j.updatedAt });
  });
  await last.getByRole('button', { name: 'Retry row-09999.txt' }).click();
  await expect.poll(() => pushed.some((p) => p.kind === 'failed' && p.updatedAt > job.updatedAt)).toBe(true);
  off();
  // The poll proved a newer failure; what it did not prove is why the row failed this time.
  expect(host.app.engine.get(job.id)!.status).toMatchObject({ kind: 'failed', error: { code: 'empty_file' } });
  await expect(last).toHaveAttribute('data-state', 'failed');
  await expect(last.getByTestId('job-error')).toContainText('empty');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-10000.png') });

  // A clicked notification (app:reveal) switches to the queue and scrolls a far-away row into sight.
  await page.getByTestId('nav-library').click();
  const target = host.app.engine.list().find((j) => j.name === 'row-07000.txt');
  host.app.reveal({ view: 'queue', id: target?.id ?? '' });
  const revealed = page.locator('[data-revealed="true"]');
  await expect(revealed).toContainText('row-07000.txt');
  await expect(revealed).toBeInViewport();
  expect(await problems()).toEqual([]);
});
