import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, startHost, watchPageProblems, writeRandomFile } from './support.js';

/**
 * Settings beyond keys: concurrency applies to the engine, the link format changes what Copy
 * puts on the clipboard, and the theme is forced on the page root.
 */
test('concurrency, link format and theme are saved and used', async ({ browser }) => {
  const host = await startHost();
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });
    const page = await context.newPage();
    const problems = await watchPageProblems(page);
    await page.goto(host.url);
    await page.getByTestId('nav-settings').click();

    await page.getByTestId('file-concurrency').fill('5');
    await page.getByTestId('part-concurrency').fill('4');
    await page.getByTestId('bandwidth-limit').fill('0');
    await page.getByTestId('transfer-apply').click();
    await expect(page.getByTestId('transfer-current')).toContainText('5 files × 4 parts, unlimited');
    expect(host.app.settings.get()).toMatchObject({ fileConcurrency: 5, partConcurrency: 4, bandwidthLimit: 0 });
    expect(host.app.engine.concurrency().target).toBe(5);

    // Only configured destinations can be the default: with no keys, just the local cloud.
    await expect(page.locator('[data-testid="destination-choice"][data-kind="filestack"] input')).toBeDisabled();
    await expect(page.locator('[data-testid="destination-choice"][data-kind="local"] input')).toBeChecked();

    // Filestack storage: location, folder and container are saved for the filestack destination.
    const store = page.getByTestId('filestack-store');
    await store.getByTestId('filestack-location').selectOption('gcs');
    await store.getByTestId('filestack-path').fill('ferry/inbox/');
    await store.getByTestId('filestack-container').fill('team-bucket');
    await store.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => host.app.settings.get()).toMatchObject({ filestackLocation: 'gcs', filestackStorePath: 'ferry/inbox/', filestackContainer: 'team-bucket' });

    await page.getByTestId('link-format').getByLabel(/Markdown/).check();
    await expect.poll(() => host.app.settings.get().linkFormat).toBe('markdown');

    // The palette really changes: the page background follows the forced theme.
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByTestId('theme-settings').getByLabel('Light').check();
    await expect.poll(background).toBe('rgb(246, 247, 249)');
    await page.getByTestId('theme-settings').getByLabel('Dark').check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect.poll(background).toBe('rgb(15, 18, 23)');
    expect(host.app.settings.get().theme).toBe('dark');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-transfer.png'), fullPage: true });

    // Copy on a queue row now writes a Markdown link.
    const file = path.join(host.workDir, 'report_v2.pdf');
    await writeRandomFile(file, 50_000);
    await page.getByTestId('nav-queue').click();
    await dropFiles(page, [file]);
    const row = page.getByTestId('job-row').first();
    await expect(row.getByTestId('job-state')).toHaveText('Done');
    const url = await row.getByTestId('job-link').getAttribute('href');
    await row.getByTestId('copy-link').click();
    await expect(row.getByTestId('copy-link')).toHaveText('Copied');
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toBe(`[report\\_v2.pdf](${url})`);

    // The theme survives a reload (it is a saved setting, not page state).
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    expect(await problems()).toEqual([]);
  } finally {
    await context.close();
    await host.close();
  }
});
