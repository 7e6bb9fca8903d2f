import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, startHost, watchPageProblems } from './support.js';

/**
 * Settings: keys go into the OS keychain and the window only ever learns "Set" / "Not set".
 * `npm run test:e2e` runs inside scripts/with-keyring.sh, so this is the real Secret Service.
 */
test('a key is stored in the keychain, shown as set, never echoed back, and removed', async ({ page }) => {
  test.skip(process.env.FERRY_KEYRING_TEST !== '1', 'needs scripts/with-keyring.sh (npm run test:e2e)');
  const host = await startHost();
  try {
    const problems = await watchPageProblems(page);
    await page.goto(host.url);
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('keychain-backend')).toContainText("your desktop's keyring (Secret Service");

    const field = page.locator('[data-testid="secret-field"][data-name="filestack.apikey"]');
    await expect(field.getByTestId('secret-state')).toHaveText('Not set');
    const secret = 'AhTgLagciQByzXpFGRI0Az';
    await field.getByLabel('API key').fill(secret);
    await field.getByRole('button', { name: 'Save' }).click();
    await expect(field.getByTestId('secret-state')).toHaveText('Set');
    // The value is gone from the page once saved, and the host never sends it back.
    await expect(field.getByLabel('API key')).toHaveValue('');
    expect(await page.content()).not.toContain(secret);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-keys.png'), fullPage: true });

    await field.getByRole('button', { name: 'Remove' }).click();
    await expect(field.getByTestId('secret-state')).toHaveText('Not set');
    expect(await problems()).toEqual([]);
  } finally {
    await host.close();
  }
});
