import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../compose.js';
import { defaultDataDir } from '../data-dir.js';
import { listenOnStablePort } from '../stable-port.js';
import { parseWebArgs } from './args.js';
import { openInBrowser } from './open-browser.js';
import { loadOrCreateToken, WEB_STATE_DIR } from './token.js';
import { startWebHost } from './web-host.js';

/**
 * Entry point of browser mode (`node dist/main/web-main.js` or `tsx src-main/hosts/web/main.ts`):
 * starts the app and the web host, prints the URL, and shuts down cleanly on SIGINT/SIGTERM.
 */
/** A signal this soon after the first is an echo, not the user asking again. */
const SECOND_SIGNAL_MS = 1000;

async function main(): Promise<void> {
  const args = parseWebArgs(process.argv.slice(2));
  const dataDir = resolve(args.dataDir ?? defaultDataDir());
  const app = await createApp({ dataDir, host: 'web' });
  // Same port and token as last time, so a page left open reconnects after a restart.
  const token = await loadOrCreateToken(dataDir);
  const staticDir = args.staticDir ?? rendererDir();
  const host = await listenOnStablePort(join(dataDir, WEB_STATE_DIR, 'port'), (port) => startWebHost({ app, port, token, staticDir }), args.port);
  console.log(`Ferry is running in browser mode: ${host.url}`);
  if (args.open) {
    const problem = await openInBrowser(host.url);
    console.log(problem === null ? 'Ferry: opened it in your browser.' : `Ferry: could not open a browser (${problem}); open the address above yourself.`);
  }

  let stoppingSince: number | null = null;
  const stop = (signal: string) => {
    // A second signal while closing means "now": do not make the user wait on a stuck upload.
    // Only a later one, though: `when-exit` (conf → atomically, the settings store) re-raises
    // every signal it sees at once, which must not cut the graceful shutdown short.
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince > SECOND_SIGNAL_MS) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    console.log(`Ferry: ${signal} received, shutting down.`);
    host
      .close()
      .then(() => app.close())
      .then(() => process.exit(0))
      .catch((thrown: unknown) => {
        console.error('Ferry: shutdown failed:', thrown);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The built renderer, relative to this file: `dist/main/web-main.js` → `dist/renderer`;
 * `src-main/hosts/web/main.ts` (tsx) → `<repo>/dist/renderer`. The first that has an
 * index.html wins; if none does the host serves its built-in "not built" page.
 */
function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', '..', 'dist', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

main().catch((thrown: unknown) => {
  console.error(`Ferry could not start: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  process.exit(1);
});
