import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, dropFiles, sha256File, sha256Url, watchPageProblems, writeRandomFile } from './support.js';

/**
 * Issue 11, "Browser mode that recovers": the whole of Ferry (the built web-main.js process, its
 * engine and local cloud) stops and starts again under an open page. The page comes back by
 * itself (same port, same token from the data folder), files chosen meanwhile are not stuck on
 * "Sending…", and a page without Ferry's link says how to get it.
 */

const URL_LINE = /Ferry is running in browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/;

let dataDir: string;
let workDir: string;
let ferry: { url: string; stop(): Promise<void> } | null = null;

/** Starts Ferry's browser mode on the shared data folder, as `npm start` would on this machine. */
async function startFerry(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['dist/main/web-main.js', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_PORT: '' },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = URL_LINE.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`web-main exited with ${code}:\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Page problems minus what a stopped host is expected to cause (refused sockets and fetches). */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !p.includes('WebSocket connection to') && !p.includes('ERR_CONNECTION_REFUSED') && !p.includes('401 (Unauthorized)'));
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-e2e-restart-'));
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-e2e-restart-src-'));
  ferry = await startFerry();
});

test.afterAll(async () => {
  await ferry?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

test('Ferry restarts under an open page: the page reconnects, a file chosen meanwhile is sent, and uploads work', async ({ browser }) => {
  const chosen = path.join(workDir, 'chosen-while-away.bin');
  const dropped = path.join(workDir, 'after-restart.bin');
  await writeRandomFile(chosen, 200 * 1024);
  await writeRandomFile(dropped, 300 * 1024);
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = await watchPageProblems(page);
  const firstUrl = ferry!.url;
  await page.goto(firstUrl);
  await expect(page.locator('[data-connected="true"]')).toHaveCount(1);

  await ferry!.stop();
  await expect(page.getByTestId('connection-lost')).toContainText('reconnecting (next try in');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reconnect-lost.png') });

  // Chosen while Ferry is away: it waits for Ferry instead of failing or hanging.
  await page.getByTestId('file-input').setInputFiles(chosen);
  await expect(page.getByText('Sending 1 file(s) to Ferry…')).toBeVisible();

  ferry = await startFerry();
  expect(ferry.url, 'same port and token as before the restart').toBe(firstUrl);
  await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 30_000 });
  const rows = page.getByTestId('job-row');
  const chosenRow = rows.filter({ hasText: 'chosen-while-away.bin' });
  await expect(chosenRow).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

  await dropFiles(page, [dropped]);
  const droppedRow = rows.filter({ hasText: 'after-restart.bin' });
  await expect(droppedRow).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  for (const [row, file] of [[chosenRow, chosen], [droppedRow, dropped]] as const) {
    const href = await row.getByTestId('job-link').getAttribute('href');
    const got = await sha256Url(href!);
    expect(got.status).toBe(200);
    expect(got.sha256).toBe(await sha256File(file));
  }
  expect(unexpected(await problems())).toEqual([]);
  await context.close();
});

test('files chosen while Ferry stays away fail with a message that says so, and Send again sends them', async ({ browser }) => {
  const file = path.join(workDir, 'sent-again.bin');
  await writeRandomFile(file, 100 * 1024);
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = await watchPageProblems(page);
  // A fake clock lets the 30 s wait for Ferry pass at once; otherwise time flows as usual.
  await page.clock.install();
  await page.goto(ferry!.url);
  await expect(page.locator('[data-connected="true"]')).toHaveCount(1);
  await ferry!.stop();
  await expect(page.getByTestId('connection-lost')).toBeVisible();

  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByText('Sending 1 file(s) to Ferry…')).toBeVisible();
  await page.clock.fastForward(31_000);
  const error = page.getByTestId('action-error');
  await expect(error).toContainText('Ferry is not reachable, so 1 file was not sent. Send it again once Ferry is back.');
  await expect(error).toHaveAttribute('data-code', 'network');
  await expect(page.getByText('Sending 1 file(s) to Ferry…')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reconnect-not-sent.png') });

  ferry = await startFerry();
  await page.clock.fastForward(6_000); // the next reconnect attempt is due within 5 s
  await expect(page.getByTestId('connection-lost')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('retry-action').click();
  await expect(page.getByTestId('job-row').filter({ hasText: 'sent-again.bin' })).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(error).toHaveCount(0);
  expect(unexpected(await problems())).toEqual([]);
  await context.close();
});

test('a page without Ferry’s link says how to open it; a remembered link works; a stale one is refused', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const origin = new URL(ferry!.url).origin;

  await page.goto(`${origin}/`);
  const screen = page.getByTestId('connection-screen');
  await expect(screen).toHaveAttribute('data-reason', 'no-token');
  await expect(screen).toContainText('Open Ferry from its link');
  await expect(screen).toContainText('Ferry is running in browser mode');
  await expect(page.getByTestId('connecting')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reconnect-no-token.png') });

  // Once opened from its link, the same address without the token works too (remembered).
  await page.goto(ferry!.url);
  await expect(page.locator('[data-connected="true"]')).toHaveCount(1);
  await page.goto(`${origin}/`);
  await expect(page.locator('[data-connected="true"]')).toHaveCount(1);
  await expect(screen).toHaveCount(0);

  // A link with a token this Ferry does not take (another profile, a renewed token).
  await page.goto(`${origin}/?token=${'x'.repeat(32)}`);
  await expect(screen).toHaveAttribute('data-reason', 'refused');
  await expect(screen).toContainText('This link no longer opens Ferry');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reconnect-refused.png') });
  // The stale link did not replace the remembered one.
  await page.goto(`${origin}/`);
  await expect(page.locator('[data-connected="true"]')).toHaveCount(1);
  await context.close();
});
