import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_WS_MESSAGE_BYTES, type WireOut } from '../../src-shared/ipc/wire.js';
import type { JobView } from '../../src-shared/model/job.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { startWebHost, type WebHost } from '../../src-main/hosts/web/web-host.js';

let tmp: string;
let app: FerryApp;
let host: WebHost;
const SECRET = 'top-secret-outside-static-dir';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ferry-web-'));
  const staticDir = join(tmp, 'static');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Ferry test</title><script src="./assets/app.js"></script>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(tmp, 'secret.txt'), SECRET);
  await symlink(join(tmp, 'secret.txt'), join(staticDir, 'escape.txt'));
  app = await createApp({ dataDir: join(tmp, 'data'), host: 'web' });
  host = await startWebHost({ app, port: 0, staticDir });
});
afterAll(async () => {
  await host?.close();
  await app?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** GET with the raw path on the wire (fetch would normalise `..` away before sending). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Client = { ws: WebSocket; messages: WireOut[]; call(channel: string, payload: unknown): Promise<WireOut>; next(pred: (m: WireOut) => boolean): Promise<WireOut> };

async function connect(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: host.origin });
  const messages: WireOut[] = [];
  const waiters: { pred: (m: WireOut) => boolean; resolve: (m: WireOut) => void }[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as WireOut;
    messages.push(msg);
    for (const w of [...waiters]) {
      if (!w.pred(msg)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const next = (pred: (m: WireOut) => boolean) => {
    const seen = messages.find(pred);
    return seen ? Promise.resolve(seen) : new Promise<WireOut>((resolve) => waiters.push({ pred, resolve }));
  };
  let id = 0;
  return {
    ws,
    messages,
    next,
    call(channel, payload) {
      const callId = ++id;
      const reply = new Promise<WireOut>((resolve) => waiters.push({ pred: (m) => m.t === 'reply' && m.id === callId, resolve }));
      ws.send(JSON.stringify({ t: 'call', id: callId, channel, payload }));
      return reply;
    },
  };
}

function upgradeStatus(url: string, origin?: string, hostHeader?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(origin ? { origin } : {}), ...(hostHeader ? { headers: { host: hostHeader } } : {}) });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => (ws.close(), resolve(101)));
    ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

function postFile(body: Uint8Array, headers: Record<string, string>) {
  return fetch(`${host.origin}/files`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body });
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('web host', () => {
  it('serves index.html for / with the CSP and security headers', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>Ferry test</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port} http://127.0.0.1:*`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const js = await fetch(`${host.origin}/assets/app.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it.each(['/../package.json', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/../../secret.txt', '/..\\secret.txt', '/escape.txt', '/%00', '/%E0%A4%A'])(
    'refuses %s',
    async (path) => {
      const res = await rawGet(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain(SECRET);
      expect(res.body).not.toContain('"name": "ferry"');
    },
  );

  it('refuses sockets without the right token or from another origin', async () => {
    const base = `ws://127.0.0.1:${host.port}/ws`;
    expect(await upgradeStatus(`${base}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(base)).toBe(401);
    expect(await upgradeStatus(`${base}?token=${host.token}`, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(`${base}?token=${host.token}`, host.origin)).toBe(101);
  });

  // Issue 13 hole 6: the socket checks Host like the HTTP routes, so a DNS-rebinding page that
  // learned the token (or a client sending no Origin) cannot reach the contract under another name.
  it('refuses sockets that name another host, even with the right token', async () => {
    const url = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`;
    expect(await upgradeStatus(url, undefined, `evil.example:${host.port}`)).toBe(421);
    expect(await upgradeStatus(url, undefined, 'evil.example')).toBe(421);
    expect(await upgradeStatus(url, undefined, `localhost:${host.port}`)).toBe(421);
    expect(await upgradeStatus(url, undefined, `127.0.0.1:${host.port}`)).toBe(101);
  });

  it('tells a page whether its token is this Ferry’s (GET /session)', async () => {
    const check = (token?: string) => fetch(`${host.origin}/session`, { headers: token === undefined ? {} : { 'x-ferry-token': token } });
    expect((await check(host.token)).status).toBe(204);
    const wrong = await check('x'.repeat(32));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('cache-control')).toBe('no-store');
    expect((await check()).status).toBe(401);
    expect((await fetch(`${host.origin}/session`, { method: 'POST', headers: { 'x-ferry-token': host.token } })).status).toBe(401);
  });

  it('answers malformed messages with a typed error and keeps the socket usable', async () => {
    const client = await connect();
    const errors = () => client.messages.filter((m) => m.t === 'error');
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ t: 'call' }));
    client.ws.send(JSON.stringify({ t: 'call', id: 1, channel: 'jobs:list', payload: {}, extra: true }));
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    client.ws.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
    const unknown = await client.call('nope:nothing', {});
    expect(unknown).toMatchObject({ t: 'reply', result: { ok: false, error: { code: 'bad_request' } } });
    const bad = await client.call('jobs:pause', { id: '../x', __proto__: 1 });
    expect(bad).toMatchObject({ result: { ok: false, error: { code: 'bad_request' } } });
    const list = await client.call('jobs:list', {});
    expect(list).toMatchObject({ t: 'reply', result: { ok: true, value: { jobs: expect.any(Array) } } });
    expect(errors()).toHaveLength(5);
    for (const e of errors()) expect(e).toMatchObject({ error: { code: 'bad_request', retryable: false } });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    client.ws.close();
  });

  it('reports web capabilities through app:info', async () => {
    const client = await connect();
    const info = await client.call('app:info', {});
    expect(info).toMatchObject({
      result: { ok: true, value: { host: 'web', defaultDestination: 'local', capabilities: { droppedFilePaths: false, streamDroppedFiles: true, nativeDialogs: false } } },
    });
    client.ws.close();
  });

  it('streams a posted file into a job, uploads it intact, and pushes events', async () => {
    const client = await connect();
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const res = await postFile(bytes, {
      'x-ferry-token': host.token,
      'x-ferry-name': encodeURIComponent('résumé data.bin'),
      'x-ferry-relative-path': encodeURIComponent('My Folder/sub/résumé data.bin'),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: true; value: { jobIds: string[] } };
    expect(body.ok).toBe(true);
    const id = body.value.jobIds[0]!;
    const doneEvent = await client.next(
      (m) => m.t === 'event' && m.name === 'jobs:updated' && (m.payload as { jobs: JobView[] }).jobs.some((j) => j.id === id && j.status.kind === 'done'),
    );
    const view = (doneEvent as { payload: { jobs: JobView[] } }).payload.jobs.find((j) => j.id === id)!;
    expect(view.relativePath).toBe('My Folder/sub/résumé data.bin');
    expect(view.name).toBe('résumé data.bin');
    if (view.status.kind !== 'done') throw new Error('not done');
    const stored = new Uint8Array(await (await fetch(view.status.result.url)).arrayBuffer());
    expect(sha(stored)).toBe(sha(bytes));
    client.ws.close();
  });

  it('makes a zero-byte post an empty_file job', async () => {
    const res = await postFile(new Uint8Array(0), { 'x-ferry-token': host.token, 'x-ferry-name': 'empty.txt' });
    const body = (await res.json()) as { ok: true; value: { jobIds: string[] } };
    expect(app.engine.get(body.value.jobIds[0]!)?.status).toMatchObject({ kind: 'failed', error: { code: 'empty_file' } });
  });

  it('refuses /files with a wrong token or a hostile path', async () => {
    const wrong = await postFile(new Uint8Array([1]), { 'x-ferry-token': 'nope', 'x-ferry-name': 'a.txt' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    for (const rel of ['../escape.txt', '/etc/passwd', 'a/\u0000/b.txt', 'C:\\x.txt']) {
      const res = await postFile(new Uint8Array([1]), { 'x-ferry-token': host.token, 'x-ferry-name': 'a.txt', 'x-ferry-relative-path': encodeURIComponent(rel) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    const noName = await postFile(new Uint8Array([1]), { 'x-ferry-token': host.token });
    expect(noName.status).toBe(400);
  });

  it('refuses requests that name another host (DNS rebinding) and redirects localhost', async () => {
    const get = (hostHeader: string) =>
      new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: host.port, path: '/?token=t', headers: { host: hostHeader } }, (r) => {
          r.resume();
          resolve({ status: r.statusCode ?? 0, location: r.headers.location });
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get('evil.example')).status).toBe(421);
    expect((await get(`evil.example:${host.port}`)).status).toBe(421);
    expect(await get(`localhost:${host.port}`)).toEqual({ status: 308, location: `${host.origin}/?token=t` });
  });
});
