import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, startHost, writeRandomFile, openPage, type E2eHost } from './support.js';

/**
 * What users see when things go wrong: a failed row says why and offers Retry, finished rows can
 * be cleared, and a lost connection shows a banner and resyncs from a fresh snapshot.
 */

let host: E2eHost;
let context: BrowserContext;
let page: Page;
let problems: () => Promise<string[]>;

test.beforeAll(async ({ browser }) => {
  host = await startHost();
  await writeFile(path.join(host.workDir, 'empty.txt'), '');
  await writeRandomFile(path.join(host.workDir, 'fine.bin'), 64 * 1024);
  await writeRandomFile(path.join(host.workDir, 'later.bin'), 10 * 1024);
  ({ context, page, problems } = await openPage(browser, host, { width: 1100, height: 700 }));
});

test.afterAll(async () => {
  await context?.close();
  await host?.close();
});

test('a failed file says why, can be retried, and finished rows can be cleared', async () => {
  await page.goto(host.url);
  await dropFiles(page, [path.join(host.workDir, 'empty.txt'), path.join(host.workDir, 'fine.bin')]);

  const rows = page.getByTestId('job-row');
  const empty = rows.filter({ hasText: 'empty.txt' });
  const fine = rows.filter({ hasText: 'fine.bin' });
  await expect(fine).toHaveAttribute('data-state', 'done');
  await expect(empty).toHaveAttribute('data-state', 'failed');
  await expect(empty.getByTestId('job-state')).toHaveText('Failed');
  await expect(empty.getByTestId('job-error')).toContainText(/empty/i);
  await expect(empty.getByTestId('job-link')).toHaveCount(0);
  await expect(page.getByTestId('queue-summary')).toHaveText('1 done · 1 failed');

  // Retry runs the job again; an empty file fails again for the same reason. The row looks the
  // same before and after, so the engine's pushes show the click started a new attempt: the job
  // fails anew, with a newer failure than the one it had.
  const job = host.app.engine.list().find((j) => j.name === 'empty.txt')!;
  const pushed: string[] = [];
  const off = host.app.engine.on('jobs:updated', ({ jobs }) => {
    for (const j of jobs) if (j.id === job.id) pushed.push(`${j.status.kind}@${j.updatedAt}`);
  });
  const retry = empty.getByRole('button', { name: 'Retry empty.txt' });
  await expect(retry).toBeVisible();
  await retry.click();
  // A newer failure is pushed (the pushes may fold queued → failed into one).
  await expect.poll(() => pushed.some((p) => p.startsWith('failed@') && Number(p.slice(7)) > job.updatedAt)).toBe(true);
  off();
  const again = host.app.engine.get(job.id)!;
  expect(again.status).toMatchObject({ kind: 'failed', error: { code: 'empty_file' } });
  await expect(empty).toHaveAttribute('data-state', 'failed');
  await expect(empty.getByTestId('job-error')).toContainText(/empty/i);

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'queue-failed-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByTestId('clear-finished').click();
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('drop-zone')).toContainText('Drop files or folders here');
  expect(await problems()).toEqual([]);
});

test('a lost connection shows a banner and the queue resyncs after reconnecting', async () => {
  await dropFiles(page, [path.join(host.workDir, 'later.bin')]);
  const rows = page.getByTestId('job-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-state', 'done');

  await host.stopWeb();
  await expect(page.getByTestId('connection-lost')).toBeVisible();
  await expect(page.getByTestId('connection-lost')).toContainText('reconnecting');

  // Changed behind the page's back while it cannot hear pushes: only a fresh snapshot shows it.
  await host.app.handlers['jobs:clear-finished']({});
  await expect(rows).toHaveCount(1);

  await host.restartWeb();
  await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 30_000 });
  await expect(rows).toHaveCount(0);

  // Reconnection attempts against a stopped host log failed socket handshakes; those are expected.
  const unexpected = (await problems()).filter((p) => !p.includes('WebSocket connection to'));
  expect(unexpected).toEqual([]);
});
