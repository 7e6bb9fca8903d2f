import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudApp } from '../localcloud/server.js';

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

/**
 * Starts the embedded local cloud on the port it had last time, so links copied in an earlier
 * session (http://127.0.0.1:PORT/<handle>) keep working; falls back to a free port when that
 * one is taken.
 */
export async function startStableLocalCloud(
  dataDir: string,
  apps?: readonly LocalCloudApp[],
  use: PortFileUse = { mode: 'own' },
): Promise<LocalCloud> {
  await mkdir(dataDir, { recursive: true });
  const portFile = join(dataDir, PORT_FILE);
  const read = Number.parseInt(await readFile(portFile, 'utf8').catch(() => ''), 10);
  const previous = Number.isInteger(read) && read > 0 && read < 65536 ? read : null;
  let cloud: LocalCloud | null = null;
  if (previous !== null) {
    cloud = await startLocalCloud({ dataDir, port: previous, host: '127.0.0.1', ...(apps ? { apps } : {}) }).catch(() => null);
  }
  cloud ??= await startLocalCloud({ dataDir, port: 0, host: '127.0.0.1', ...(apps ? { apps } : {}) });
  if (use.mode === 'own' ? cloud.port !== previous : previous === null) await writeFile(portFile, String(cloud.port));
  return cloud;
}
