import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const URL_LINE = /browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/;

/** A loopback port nothing listens on: connecting to it is refused at once, like no network. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Runs the built launcher (what `npm start` runs after building) until it prints the URL. */
async function launch(env: NodeJS.ProcessEnv, run: (url: string, output: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-start-'));
  const child = spawn(process.execPath, ['scripts/start.mjs', '--no-open', '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      // The bound: the URL within a minute even when Electron cannot be fetched.
      const timer = setTimeout(() => reject(new Error(`no URL within a minute; output so far:\n${output}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = URL_LINE.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`start.mjs exited with ${code}:\n${output}`)));
    });
    await run(url, output);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

// Must show 4: `npm start` (build, then scripts/start.mjs) falls back to browser mode here, prints
// the URL, and that URL serves the app. The build already ran as part of `npm run test:e2e`.
test('without a display, start.mjs says so, prints the browser-mode URL and the URL serves the app', async ({ page }) => {
  await launch({ DISPLAY: '', WAYLAND_DISPLAY: '' }, async (url, output) => {
    expect(output).toContain('Ferry opens in your browser instead of its own window, because there is no display');
    // Nothing was downloaded for a machine that cannot show a window.
    expect(output).not.toContain('Downloading Electron');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<script[^>]+type="module"[^>]+src="\.\/assets\//);
    await page.goto(url);
    await expect(page.getByTestId('drop-zone')).toBeVisible();
  });
});

// Issue 11: with a display but no network, `npm start -- --no-open` tries Electron's installer,
// says why it failed, and prints the browser-mode URL within a minute. The mirror is a refused
// loopback port and the download cache is empty, so this runs the same way on a networked CI.
test('with a display but no network, start.mjs tries the download, says why it failed, and prints the URL', async () => {
  const cache = await mkdtemp(path.join(os.tmpdir(), 'ferry-electron-cache-'));
  try {
    const mirror = `http://127.0.0.1:${await closedPort()}/`;
    await launch({ DISPLAY: ':99', ELECTRON_MIRROR: mirror, electron_config_cache: cache }, async (url, output) => {
      expect(output).toMatch(/Downloading Electron \d+\.\d+\.\d+ \(once/);
      expect(output).toContain('Ferry opens in your browser instead of its own window, because downloading Electron failed: the download server could not be reached');
      expect((await fetch(url)).status).toBe(200);
    });
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});
