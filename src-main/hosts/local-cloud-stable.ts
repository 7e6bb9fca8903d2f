import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCloud, LocalCloudOptions } from '../localcloud/server.js';
import { listenOnStablePort, rememberedPort } from './stable-port.js';

/** `<data>/localcloud/port`: the port the app's local cloud keeps across restarts. */
export const PORT_FILE = 'port';

/** How a process uses the app's port file. */
export type PortFileUse = {
  /**
   * `own` (the app): start on the remembered port, and remember the new one when that is taken.
   * `borrow` (a `ferry` command running while no app does): use the remembered port only if it
   * is free and never change the file, so links the app handed out keep their port; a first
   * port is still written when there is none yet, so the app later serves this command's links.
   */
  readonly mode: 'own' | 'borrow';
};

/** What the embedded local cloud is started with (local-cloud-port.ts hands it to its thread). */
export type StableCloudOptions = Omit<LocalCloudOptions, 'dataDir' | 'port' | 'host'>;

/**
 * Starts the local cloud in this thread on the port it had last time, so links copied in an
 * earlier session (http://127.0.0.1:PORT/<handle>) keep working; falls back to a free port when
 * that one is taken (remembered only in `own` mode). The app runs it in a worker thread
 * (local-cloud-port.ts); this is what that worker calls.
 */
export async function startStableHere(dataDir: string, options: StableCloudOptions = {}, use: PortFileUse = { mode: 'own' }): Promise<LocalCloud> {
  await mkdir(dataDir, { recursive: true });
  const portFile = join(dataDir, PORT_FILE);
  // Loaded here, not at the top: every host imports this file, but only the thread that runs the
  // cloud needs its ~400 KB of code and its packages (a `ferry upload` to a cloud elsewhere never does).
  const { startLocalCloud } = await import('../localcloud/server.js');
  const start = (port: number): Promise<LocalCloud> => startLocalCloud({ ...options, dataDir, port, host: '127.0.0.1' });
  const appPort = use.mode === 'borrow' ? await rememberedPort(portFile) : null;
  if (appPort === null) return listenOnStablePort(portFile, start);
  return (await start(appPort).catch(() => null)) ?? (await start(0));
}
