import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Starts a loopback server on the port it had last time (remembered in `portFile`), so what it
 * handed out (links, an open page's address) keeps working across restarts. `requested`: a
 * number is used as given (0 = any free port, not remembered); null means "the remembered port,
 * or a free one when that is taken", and the port in use is remembered.
 */
export async function listenOnStablePort<T extends { readonly port: number }>(
  portFile: string,
  start: (port: number) => Promise<T>,
  requested: number | null = null,
): Promise<T> {
  if (requested !== null) {
    const server = await start(requested);
    if (requested !== 0) await remember(portFile, server.port);
    return server;
  }
  const previous = await rememberedPort(portFile);
  const server = (previous !== null ? await start(previous).catch(() => null) : null) ?? (await start(0));
  if (server.port !== previous) await remember(portFile, server.port);
  return server;
}

/** The port remembered in `portFile`, or null when there is none (or it is not a port). */
export async function rememberedPort(portFile: string): Promise<number | null> {
  const port = Number.parseInt(await readFile(portFile, 'utf8').catch(() => ''), 10);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

async function remember(portFile: string, port: number): Promise<void> {
  await mkdir(dirname(portFile), { recursive: true });
  await writeFile(portFile, String(port));
}
