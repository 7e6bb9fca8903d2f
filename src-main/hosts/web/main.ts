import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../compose.js';
import { defaultDataDir } from '../data-dir.js';
import { parseWebArgs } from './args.js';
import { startWebHost } from './web-host.js';

/**
 * Entry point of browser mode (`node dist/main/web-main.js` or `tsx src-main/hosts/web/main.ts`):
 * starts the app and the web host, prints the URL, and shuts down cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const args = parseWebArgs(process.argv.slice(2));
  const dataDir = resolve(args.dataDir ?? defaultDataDir());
  const app = await createApp({ dataDir, host: 'web' });
  const host = await startWebHost({ app, port: args.port, staticDir: args.staticDir ?? rendererDir() });
  console.log(`Ferry is running in browser mode: ${host.url}`);

  let stoppingAt: number | null = null;
  const stop = (signal: string) => {
    // A second signal while closing means "now": do not make the user wait on a stuck upload.
    // One right after the first is not the user: when-exit (under conf) re-raises the signal.
    if (stoppingAt !== null) {
      if (Date.now() - stoppingAt > REPEAT_SIGNAL_MS) process.exit(130);
      return;
    }
    stoppingAt = Date.now();
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

/** A signal this soon after the first is an echo, not the user asking again. */
const REPEAT_SIGNAL_MS = 1000;

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
