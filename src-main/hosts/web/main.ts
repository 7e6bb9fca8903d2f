import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type FerryApp } from '../compose.js';
import { DEFAULT_VERSION } from '../version.js';
import { defaultDataDir } from '../data-dir.js';
import { appBackend, recoverOnStart } from '../instance/app-backend.js';
import { claimInstance } from '../instance/claim.js';
import { handToRunning, stderrLogger } from '../instance/launch.js';
import { listenOnStablePort } from '../stable-port.js';
import { onStopSignals } from '../stop-signals.js';
import { parseWebArgs } from './args.js';
import { openInBrowser } from './open-browser.js';
import { loadOrCreateToken, WEB_STATE_DIR } from './token.js';
import { startWebHost, type WebHost } from './web-host.js';

/**
 * Entry point of browser mode (`node dist/main/web-main.js` or `tsx src-main/hosts/web/main.ts`):
 * one Ferry per data folder. If one already runs, this launch hands it the files named on the
 * command line, prints its URL (and opens it with `--open`) and exits; otherwise it starts the
 * app and the web host, prints the URL, and shuts down cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const args = parseWebArgs(process.argv.slice(2));
  const dataDir = resolve(args.dataDir ?? defaultDataDir());
  const files = args.files.map((f) => resolve(f));
  const claim = await claimInstance({
    dataDir,
    kind: 'app',
    version: DEFAULT_VERSION,
    logger: stderrLogger,
    takeOverFromCli: true,
    onWait: (message) => console.log(`Ferry: ${message}`),
  });
  if (claim.role === 'client') {
    const handed = await handToRunning(claim.client, files, args.port ?? 0, (line) => console.log(line));
    if (args.open && handed.url !== null) await open(handed.url);
    process.exitCode = handed.code;
    return;
  }
  let app: FerryApp | undefined;
  let host: WebHost;
  try {
    const started = (app = await createApp({ dataDir, host: 'web' }));
    // Same port and token as last time, so a page left open reconnects after a restart.
    const token = await loadOrCreateToken(dataDir);
    const staticDir = args.staticDir ?? rendererDir();
    host = await listenOnStablePort(join(dataDir, WEB_STATE_DIR, 'port'), (port) => startWebHost({ app: started, port, token, staticDir }), args.port);
  } catch (thrown) {
    await app?.close();
    await claim.release();
    throw thrown;
  }
  const running = app;
  const web = host;
  claim.server.attach(appBackend(running, { url: () => web.url, port: () => web.port }));
  void recoverOnStart(running).catch((thrown: unknown) => running.logger.error('intents: recovery failed', { error: String(thrown) }));
  console.log(`Ferry is running in browser mode: ${web.url}`);
  if (args.open) await open(web.url);
  if (files.length > 0) {
    const added = await running.engine.addPaths(files);
    console.log(`Ferry: queued ${added.jobIds.length} file(s)${added.skipped.length > 0 ? `; skipped ${added.skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}` : ''}.`);
  }

  onStopSignals(
    (signal) => {
      console.log(`Ferry: ${signal} received, shutting down.`);
      web
        .close()
        .then(() => running.close())
        // The folder is released only once the engine and journal are closed.
        .then(() => claim.release())
        .then(() => process.exit(0))
        .catch((thrown: unknown) => {
          console.error('Ferry: shutdown failed:', thrown);
          process.exit(1);
        });
    },
    // A second signal while closing means "now": do not make the user wait on a stuck upload.
    () => process.exit(130),
  );
}

async function open(url: string): Promise<void> {
  const problem = await openInBrowser(url);
  console.log(problem === null ? 'Ferry: opened it in your browser.' : `Ferry: could not open a browser (${problem}); open the address above yourself.`);
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
