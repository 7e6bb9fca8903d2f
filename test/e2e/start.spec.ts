import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// Must show 4: `npm start` (build, then scripts/start.mjs) falls back to browser mode here, prints
// the URL, and that URL serves the app. The build already ran as part of `npm run test:e2e`.
test('start.mjs prints the browser-mode URL and the URL serves the app', async ({ page }) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-start-'));
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: '' },
  });
  try {
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; output so far:\n${output}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`start.mjs exited with ${code}:\n${output}`)));
    });
    expect(output).toMatch(/Electron is not available here/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<script[^>]+type="module"[^>]+src="\.\/assets\//);
    await page.goto(url);
    await expect(page.getByTestId('drop-zone')).toBeVisible();
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});
