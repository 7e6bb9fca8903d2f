import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../localcloud/server.js';
import { listenOnStablePort } from './stable-port.js';

const PORT_FILE = 'port';

/**
 * Starts the embedded local cloud on the port it had last time, so links copied in an earlier
 * session (http://127.0.0.1:PORT/<handle>) keep working; falls back to a free port when that
 * one is taken, and remembers the new one.
 */
export async function startStableLocalCloud(dataDir: string, options: Omit<LocalCloudOptions, 'dataDir' | 'port' | 'host'> = {}): Promise<LocalCloud> {
  await mkdir(dataDir, { recursive: true });
  return listenOnStablePort(join(dataDir, PORT_FILE), (port) => startLocalCloud({ ...options, dataDir, port, host: '127.0.0.1' }));
}
