import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, sha256File, sha256Url, startHost, watchPageProblems, writeRandomFile } from './support.js';

/**
 * Watch folders in browser mode: add a folder by typing its path (no allowed roots configured:
 * the folder the user adds is the allowed root of its own watch), write a file into it on disk,
 * and see it uploaded (the folder's count goes up, the job shows in the queue with a link).
 * Typing mistakes are answered in words.
 */
test('a folder added in the UI uploads a file written into it', async ({ page }) => {
  const savedRoots = process.env.FERRY_ALLOWED_ROOTS;
  delete process.env.FERRY_ALLOWED_ROOTS;
  const host = await startHost();
  try {
    const problems = await watchPageProblems(page);
    const inbox = path.join(host.workDir, 'inbox');
    await mkdir(inbox);
    await page.goto(host.url);
    await page.getByTestId('nav-watch').click();
    await expect(page.getByTestId('watch-empty')).toContainText('No folders are watched yet');

    // A relative path and a missing folder get plain answers, not developer messages.
    await page.getByTestId('watch-path').fill('inbox');
    await page.getByTestId('watch-submit').click();
    await expect(page.getByTestId('watch-problem')).toContainText('"inbox" is not a full path. Type the whole path of the folder, starting with /');
    await page.getByTestId('watch-path').fill(path.join(inbox, 'not-there'));
    await page.getByTestId('watch-submit').click();
    await expect(page.getByTestId('watch-problem')).toContainText('does not exist. Check the spelling, or create the folder first.');

    await page.getByTestId('watch-path').fill(inbox);
    await page.getByTestId('watch-submit').click();
    await expect(page.getByTestId('watch-problem')).toHaveCount(0);
    const row = page.locator(`[data-testid="watch-row"][data-path="${inbox}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText('Watching');
    await expect(row.getByTestId('watch-uploaded')).toHaveText('0');

    const file = path.join(inbox, 'scan-001.bin');
    await writeRandomFile(file, 200_000);
    // Polled every 2 s while the view is open: the count follows the ledger.
    await expect(row.getByTestId('watch-uploaded')).toHaveText('1');
    await expect(row.getByTestId('watch-pending')).toHaveText('0');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'watch.png'), fullPage: true });

    // Switching off is reflected; the folder stays listed.
    await row.getByTestId('watch-enabled').uncheck();
    await expect(row).toHaveAttribute('data-enabled', 'false');

    await page.getByTestId('nav-queue').click();
    const job = page.locator('[data-testid="job-row"]').filter({ hasText: 'scan-001.bin' });
    await expect(job.getByTestId('job-state')).toHaveText('Done');
    const link = await job.getByTestId('job-link').getAttribute('href');
    expect(link).toBeTruthy();
    const fetched = await sha256Url(link!);
    expect(fetched.sha256).toBe(await sha256File(file));

    await page.getByTestId('nav-watch').click();
    await row.getByTestId('watch-remove').click();
    await expect(page.getByTestId('watch-empty')).toBeVisible();
    expect(await problems()).toEqual([]);
  } finally {
    await host.close();
    if (savedRoots === undefined) delete process.env.FERRY_ALLOWED_ROOTS;
    else process.env.FERRY_ALLOWED_ROOTS = savedRoots;
  }
});
