import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FILE_HEADERS, SESSION_PATH } from '../../src-shared/ipc/file-stream.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/web-host.js';
import type { ConnectionStatus } from '../../src-renderer/lib/connection-status.js';
import { createWsTransport, type OpenSocket, type TokenVerdict } from '../../src-renderer/lib/ws-transport.js';

// The renderer's transport against the real web host over loopback, with the `ws` package
// standing in for the browser's WebSocket (the e2e specs cover the browser itself).

let tmp: string;
let staticDir: string;
let app: FerryApp;
let host: WebHost | null = null;
let port = 0;
let token = '';

const openSocket: OpenSocket = (url, on) => {
  const ws = new WebSocket(url, { origin: `http://127.0.0.1:${port}` });
  ws.on('open', () => on.open());
  ws.on('message', (data) => on.message(String(data)));
  ws.on('close', () => on.close());
  ws.on('error', () => undefined); // 'close' follows and does the work
  return { send: (text) => ws.send(text), isOpen: () => ws.readyState === WebSocket.OPEN };
};

function checkTokenOf(t: string): () => Promise<TokenVerdict> {
  return async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${SESSION_PATH}`, { headers: { [FILE_HEADERS.token]: t } });
      return res.status === 204 ? 'valid' : res.status === 401 ? 'invalid' : 'unreachable';
    } catch {
      return 'unreachable';
    }
  };
}

/** Resolves with the first status that satisfies `pred` (statuses are recorded from the start). */
function statusWhere(seen: ConnectionStatus[], pred: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const hit = seen.find(pred);
      if (hit) resolve(hit);
      else setTimeout(poll, 20);
    };
    poll();
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ferry-transport-'));
  staticDir = join(tmp, 'static');
  await mkdir(staticDir, { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  app = await createApp({ dataDir: join(tmp, 'data'), host: 'web' });
  host = await startWebHost({ app, port: 0, staticDir });
  port = host.port;
  token = host.token;
});
afterAll(async () => {
  await host?.close();
  await app?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('web transport', () => {
  it('reconnects after the host restarts, reporting unreachable with a retry time, then works again', async () => {
    const transport = createWsTransport(`ws://127.0.0.1:${port}/ws?token=${token}`, { checkToken: checkTokenOf(token), openSocket });
    const seen: ConnectionStatus[] = [];
    transport.onStatus((s) => seen.push(s));
    expect(await transport.whenConnected(10_000)).toBe(true);
    expect((await transport.invoke('jobs:list', {})).ok).toBe(true);

    await host!.close();
    const down = await statusWhere(seen, (s) => s.state === 'unreachable');
    expect(down).toMatchObject({ state: 'unreachable', everConnected: true });
    // While the host is away, a caller can wait for it rather than fail at once.
    expect(await transport.whenConnected(50)).toBe(false);
    const waiting = transport.whenConnected(30_000);

    host = await startWebHost({ app, port, token, staticDir });
    expect(await waiting).toBe(true);
    expect(seen.at(-1)).toEqual({ state: 'connected' });
    const listed = await transport.invoke('jobs:list', {});
    expect(listed.ok).toBe(true);
  });

  it('says the token is refused when the host runs with another one', async () => {
    const transport = createWsTransport(`ws://127.0.0.1:${port}/ws?token=${'x'.repeat(32)}`, { checkToken: checkTokenOf('x'.repeat(32)), openSocket });
    const seen: ConnectionStatus[] = [];
    transport.onStatus((s) => seen.push(s));
    expect(await statusWhere(seen, (s) => s.state === 'refused')).toEqual({ state: 'refused' });
    expect(seen.some((s) => s.state === 'connected')).toBe(false);
  });

  it('reports a host that never answered as unreachable, not "connecting" forever', async () => {
    const transport = createWsTransport('ws://127.0.0.1:9/ws?token=t', { checkToken: async () => 'unreachable', openSocket });
    const seen: ConnectionStatus[] = [];
    transport.onStatus((s) => seen.push(s));
    expect(seen[0]).toEqual({ state: 'connecting' });
    expect(await statusWhere(seen, (s) => s.state === 'unreachable')).toMatchObject({ state: 'unreachable', everConnected: false, attempt: 1 });
  });
});
