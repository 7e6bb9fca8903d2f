import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { createApp, type CreateAppOptions, type FerryApp } from '../../src-main/hosts/compose.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/web-host.js';

/** The built renderer the web host serves; `npm run test:e2e` builds it first. */
export const STATIC_DIR = path.resolve('dist/renderer');
/** Where specs save screenshots for humans to look at. */
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

/** A running web host over a fresh data folder, as a user's first launch would have it. */
export type E2eHost = {
  url: string;
  origin: string;
  /** Scratch folder for the spec's source files; removed by close(). */
  workDir: string;
  /** The app behind the host, for acting behind the UI's back. */
  app: FerryApp;
  /** Stops only the web host (the page loses its socket); the app keeps running. */
  stopWeb(): Promise<void>;
  /** Starts the web host again on the same port with the same token, as a restart would. */
  restartWeb(): Promise<void>;
  close(): Promise<void>;
};

/** Starts the real app (engine + local cloud) and its web host on a random loopback port; `options` add to createApp's. */
export async function startHost(options: Partial<Omit<CreateAppOptions, 'dataDir' | 'host'>> = {}): Promise<E2eHost> {
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) {
    throw new Error(`${STATIC_DIR}/index.html is missing: run \`npx vite build\` (npm run test:e2e does it).`);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-e2e-data-'));
  const workDir = await mkdtemp(path.join(tmpdir(), 'ferry-e2e-src-'));
  const app = await createApp({ ...options, dataDir, host: 'web' });
  let web: WebHost = await startWebHost({ app, port: 0, staticDir: STATIC_DIR });
  const { port, token } = web;
  return {
    url: web.url,
    origin: web.origin,
    workDir,
    app,
    stopWeb: () => web.close(),
    async restartWeb() {
      web = await startWebHost({ app, port, token, staticDir: STATIC_DIR });
    },
    async close() {
      await web.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Writes `size` random bytes to `file` in 1 MiB chunks (creating parent folders). */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const chunks: Buffer[] = [];
  for (let left = size; left > 0; left -= 1024 * 1024) chunks.push(randomBytes(Math.min(left, 1024 * 1024)));
  await writeFile(file, Buffer.concat(chunks));
}

/** Hex SHA-256 of a file on disk. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Downloads a link from Node (not the page) and returns its hex SHA-256 and size. */
export async function sha256Url(url: string): Promise<{ sha256: string; size: number; status: number }> {
  const res = await fetch(url);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, status: res.status };
}

/**
 * Records what must never happen in the UI: console errors, uncaught exceptions and CSP
 * violations (both the console message and the DOM `securitypolicyviolation` event).
 */
export async function watchPageProblems(page: Page): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.text().includes('Content Security Policy')) problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return async () => {
    const csp = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
    return [...problems, ...csp.map((v) => `csp: ${v}`)];
  };
}

/**
 * Drops files or folders from disk on the window the way the OS does: Chromium's own drag
 * pipeline (CDP `Input.dispatchDragEvent` with real paths) builds the DataTransfer, so the
 * renderer reads real File objects (and real directory entries for folders, walked with
 * `webkitGetAsEntry()`) exactly as after a drag from the file manager. Returns the drop zone's
 * `data-dragging` value while the files hover, before the drop, so callers can check the highlight.
 */
export async function dropFiles(page: Page, paths: readonly string[]): Promise<string | null> {
  const zone = page.getByTestId('drop-zone');
  await zone.scrollIntoViewIfNeeded();
  const box = await zone.boundingBox();
  if (!box) throw new Error('drop zone is not visible');
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: paths.map((p) => path.resolve(p)), dragOperationsMask: 1 };
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data });
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data });
    // Let Svelte flush the highlight before reading it.
    const highlight = await page.evaluate(async () => {
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return document.querySelector('[data-testid="drop-zone"]')?.getAttribute('data-dragging') ?? null;
    });
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data });
    return highlight;
  } finally {
    await cdp.detach();
  }
}

/** A fresh browser context on the host with clipboard access, its page and a problem watcher. */
export type E2ePage = { context: BrowserContext; page: Page; problems: () => Promise<string[]> };

export async function openPage(browser: Browser, host: E2eHost, viewport = { width: 1100, height: 800 }): Promise<E2ePage> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.origin });
  const page = await context.newPage();
  return { context, page, problems: await watchPageProblems(page) };
}
