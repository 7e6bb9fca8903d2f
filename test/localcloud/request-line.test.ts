/**
 * Issue 13, hole 6: a 100 KB request line is answered 431 (by the local cloud and by the web
 * host, which used to destroy the socket), not reset.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/web-host.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** Sends a GET with a 100 KB path in 4 KiB writes and returns what came back before the close. */
async function longRequestLine(port: number): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  const line = `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  for (let i = 0; i < line.length && !socket.destroyed; i += 4096) socket.write(line.slice(i, i + 4096));
  await closed;
  return got;
}

let dir: string;
let app: FerryApp;
let host: WebHost;

beforeAll(async () => {
  dir = await makeTempDir('ferry-431-');
  await mkdir(path.join(dir, 'static'), { recursive: true });
  await writeFile(path.join(dir, 'static', 'index.html'), '<!doctype html><title>t</title>');
  app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web' });
  host = await startWebHost({ app, port: 0, staticDir: path.join(dir, 'static') });
});
afterAll(async () => {
  await host.close();
  await app.close();
  await removeTempDir(dir);
});

describe('over-long request lines', () => {
  it('get 431 from the local cloud and from the web host', async () => {
    expect(await longRequestLine(Number(new URL(app.localCloud.baseUrl).port))).toMatch(/^HTTP\/1\.1 431 /);
    expect(await longRequestLine(host.port)).toMatch(/^HTTP\/1\.1 431 /);
  });
});
