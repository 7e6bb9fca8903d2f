import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudApp } from '../localcloud/server.js';

const PORT_FILE = 'port';

/**
 * Starts the local cloud in this thread on the port it had last time, so links copied in an
 * earlier session (http://127.0.0.1:PORT/<handle>) keep working; falls back to a free port when
 * that one is taken, and remembers the new one. The app runs it in a worker thread
 * (local-cloud-port.ts); this is what that worker calls.
 */
export async function startStableHere(dataDir: string, apps?: readonly LocalCloudApp[]): Promise<LocalCloud> {
  await mkdir(dataDir, { recursive: true });
  const portFile = join(dataDir, PORT_FILE);
  const previous = Number.parseInt(await readFile(portFile, 'utf8').catch(() => ''), 10);
  let cloud: LocalCloud | null = null;
  if (Number.isInteger(previous) && previous > 0 && previous < 65536) {
    cloud = await startLocalCloud({ dataDir, port: previous, host: '127.0.0.1', ...(apps ? { apps } : {}) }).catch(() => null);
  }
  cloud ??= await startLocalCloud({ dataDir, port: 0, host: '127.0.0.1', ...(apps ? { apps } : {}) });
  if (cloud.port !== previous) await writeFile(portFile, String(cloud.port));
  return cloud;
}
