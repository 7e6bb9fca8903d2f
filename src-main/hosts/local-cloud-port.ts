import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startStableHere, type PortFileUse, type StableCloudOptions } from './local-cloud-stable.js';
import type { WorkerCommand, WorkerInput, WorkerMessage } from './local-cloud-worker.js';

export { PORT_FILE, type PortFileUse } from './local-cloud-stable.js';

/** The embedded local cloud as the app sees it: where it listens, and how to reach and stop it. */
export type EmbeddedLocalCloud = {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly baseUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** Allows one more browser origin (the web host's, known only once it listens). */
  allowOrigin(origin: string): void;
  close(): Promise<void>;
};

/** Options that are data only can cross into the worker; callbacks (test hooks, a log) keep the cloud here. */
const THREAD_SAFE = new Set(['apps', 'imagekit', 'corsOrigins', 'allowPrivateFetch', 'tls']);

function fitsWorker(options: StableCloudOptions): boolean {
  return Object.keys(options).every((k) => THREAD_SAFE.has(k)) && options.sessions === undefined;
}

/** How long close() waits for the worker to stop its server before ending the thread. */
const CLOSE_GRACE_MS = 10_000;

let sourceBundle: Promise<URL | null> | null = null;

/**
 * The worker's script: the bundle next to this one (dist/main/localcloud-worker.js, also in the
 * packaged app; the CLI's code may sit in dist/main/chunks/); when running from the TypeScript sources (`npm run ferry`, tests) it is bundled
 * once per process with esbuild (a dev dependency, ~0.3 s) into node_modules/.cache, named by its
 * content so runs share it. Null when neither works: the cloud then runs in this thread.
 */
async function workerScript(): Promise<URL | null> {
  // Beside this bundle, or one level up when this code sits in a split chunk (dist/main/chunks/).
  for (const candidate of ['./localcloud-worker.js', '../localcloud-worker.js']) {
    const bundled = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(bundled))) return bundled;
  }
  if (!import.meta.url.endsWith('.ts')) return null;
  return (sourceBundle ??= bundleFromSource().catch(() => null));
}

async function bundleFromSource(): Promise<URL> {
  const { build } = await import('esbuild');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./local-cloud-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const code = out.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no worker bundle');
  const dir = join(root, 'node_modules', '.cache', 'ferry-local-cloud-worker');
  const file = join(dir, `${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    // Written under a temp name and renamed: another process may be reading the same file.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, file);
  }
  return pathToFileURL(file);
}

/**
 * Starts the embedded local cloud off the uploader's thread (a worker thread), on the port it
 * had last time so earlier links keep working (local-cloud-stable.ts, `use` as there). The
 * uploader's MD5s and the server's then run on two cores instead of taking turns on one.
 */
export async function startStableLocalCloud(dataDir: string, options: StableCloudOptions = {}, use: PortFileUse = { mode: 'own' }): Promise<EmbeddedLocalCloud> {
  const script = fitsWorker(options) ? await workerScript() : null;
  if (script !== null) {
    try {
      return await startInWorker(script, { dataDir, options, use });
    } catch (err) {
      // A host that cannot run the worker (e.g. a packaged build that cannot load it from its
      // archive) still gets its local cloud, on this thread as before.
      process.stderr.write(`ferry: the local cloud runs on the app's thread (${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  const cloud = await startStableHere(dataDir, options, use);
  return { baseUrl: cloud.baseUrl, port: cloud.port, dataDir, allowOrigin: (origin) => cloud.allowOrigin(origin), close: () => cloud.close() };
}

async function startInWorker(script: URL, input: WorkerInput): Promise<EmbeddedLocalCloud> {
  // No inherited execArgv: the script is plain JS, and a loader such as tsx's would also hook
  // signals in the worker.
  const worker = new Worker(script, { workerData: input, execArgv: [] });
  // Always listened to: an 'error' event without a listener would end the whole app.
  worker.on('error', (err) => process.stderr.write(`ferry: the local cloud stopped: ${err.message}\n`));
  let exited = false;
  worker.on('exit', () => (exited = true));
  const ready = await new Promise<Extract<WorkerMessage, { type: 'ready' }>>((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`its thread ended with ${code} before it was ready`));
    worker.once('exit', onExit);
    worker.once('message', (m: WorkerMessage) => {
      worker.off('exit', onExit);
      if (m.type === 'ready') resolve(m);
      else reject(new Error(m.type === 'failed' ? m.message : 'it did not start'));
    });
  });
  let closing: Promise<void> | null = null;
  const command = (c: WorkerCommand): void => worker.postMessage(c);
  return {
    baseUrl: ready.baseUrl,
    port: ready.port,
    dataDir: input.dataDir,
    allowOrigin: (origin) => command({ type: 'allow-origin', origin }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), CLOSE_GRACE_MS);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        command({ type: 'close' });
      })),
  };
}
