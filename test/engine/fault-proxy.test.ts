import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32, startFaultProxy, type FaultProxy, type FaultRequest } from '../support/fault-proxy.js';

/** A small real server: GET /data streams a fixed body, POST /echo hashes what it received. */
type Received = { url: string; bytes: number; complete: boolean };
let server: http.Server;
let origin: string;
let received: Received[];
let proxy: FaultProxy | null;
const DATA = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 31 + 7) % 251));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeEach(async () => {
  received = [];
  proxy = null;
  server = http.createServer((req, res) => {
    const rec: Received = { url: req.url ?? '', bytes: 0, complete: false };
    received.push(rec);
    const hash = createHash('sha256');
    req.on('data', (c: Buffer) => {
      rec.bytes += c.length;
      hash.update(c);
    });
    req.on('end', () => {
      rec.complete = true;
      if (req.url?.endsWith('/data')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"good"' });
        res.end(DATA);
        return;
      }
      const body = JSON.stringify({ bytes: rec.bytes, sha256: hash.digest('hex'), url: req.url });
      res.writeHead(200, { 'content-type': 'application/json', etag: '"good"' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await proxy?.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

type Reply = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
function send(url: string, method = 'GET', body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: body ? { 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const upload = Buffer.alloc(100_000, 0x61);

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('fault proxy', () => {
  it('forwards faithfully without a fault and logs each request', async () => {
    proxy = await startFaultProxy(origin);
    const got = await send(`${proxy.url}/data`);
    expect(got.status).toBe(200);
    expect(sha(got.body)).toBe(sha(DATA));
    const echoed = await send(`${proxy.url}/echo?x=1`, 'POST', upload);
    expect(JSON.parse(echoed.body.toString())).toEqual({ bytes: upload.length, sha256: sha(upload), url: '/echo?x=1' });
    expect(proxy.log.map((e) => [e.n, e.method, e.url, e.fault, e.requestBytes, e.status])).toEqual([
      [0, 'GET', '/data', null, 0, 200],
      [1, 'POST', '/echo?x=1', null, upload.length, 200],
    ]);
  });

  it('keeps the target path prefix', async () => {
    proxy = await startFaultProxy(`${origin}/base/`);
    const echoed = await send(`${proxy.url}/echo`, 'POST', Buffer.from('hi'));
    expect(JSON.parse(echoed.body.toString()).url).toBe('/base/echo');
  });

  it('reset-after N bytes kills the client connection mid-body; the server never gets the whole body', async () => {
    proxy = await startFaultProxy(origin, (r) => (r.n === 0 ? { kind: 'reset-after', bytes: 1000 } : null));
    await expect(send(`${proxy.url}/echo`, 'POST', upload)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
    expect(proxy.log[0]?.fault).toBe('reset-after');
    expect(proxy.log[0]?.requestBytes).toBeGreaterThanOrEqual(1000);
    expect(proxy.log[0]?.status).toBeNull();
    // The next request is clean and the server never completed the first one.
    const ok = await send(`${proxy.url}/echo`, 'POST', upload);
    expect(JSON.parse(ok.body.toString()).bytes).toBe(upload.length);
    expect(received.filter((r) => r.complete).map((r) => r.bytes)).toEqual([upload.length]);
  });

  it('reset-after beyond the body lets the server finish but the client never hears', async () => {
    proxy = await startFaultProxy(origin, () => ({ kind: 'reset-after', bytes: 10 * upload.length }));
    await expect(send(`${proxy.url}/echo`, 'POST', upload)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await until(() => received.length === 1 && received[0]!.complete);
    expect(received[0]?.bytes).toBe(upload.length);
  });

  it('reset-after 0 never reaches the server', async () => {
    proxy = await startFaultProxy(origin, () => ({ kind: 'reset-after', bytes: 0 }));
    await expect(send(`${proxy.url}/data`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(received).toEqual([]);
  });

  it('stall accepts and never answers until close()', async () => {
    proxy = await startFaultProxy(origin, () => ({ kind: 'stall' }));
    let settled = false;
    const pending = send(`${proxy.url}/echo`, 'POST', upload).finally(() => (settled = true));
    await until(() => proxy!.log[0]?.requestBytes === upload.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    expect(received).toEqual([]);
    await proxy.close();
    proxy = null;
    await expect(pending).rejects.toThrow();
  });

  it('answers 429 with Retry-After locally and passes the headers', async () => {
    proxy = await startFaultProxy(origin, () => ({ kind: 'status', status: 429, headers: { 'Retry-After': '3' }, body: 'slow down' }));
    const got = await send(`${proxy.url}/echo`, 'POST', upload);
    expect(got.status).toBe(429);
    expect(got.headers['retry-after']).toBe('3');
    expect(got.body.toString()).toBe('slow down');
    expect(received).toEqual([]);
    expect(proxy.log[0]).toMatchObject({ fault: 'status', status: 429, requestBytes: upload.length });
  });

  it('answers 500 and 503 storms, then recovers after setRule', async () => {
    proxy = await startFaultProxy(origin, (r) => ({ kind: 'status', status: r.n % 2 ? 503 : 500 }));
    expect((await send(`${proxy.url}/data`)).status).toBe(500);
    expect((await send(`${proxy.url}/data`)).status).toBe(503);
    proxy.setRule(() => null);
    expect((await send(`${proxy.url}/data`)).status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it('rewrite-response can change the ETag and turn a success into an error body', async () => {
    proxy = await startFaultProxy(origin, () => ({
      kind: 'rewrite-response',
      fn: (status, headers, body) => ({ status, headers: { ...headers, etag: '"wrong"' }, body: Buffer.from(`{"error":"lies","was":${body.length}}`) }),
    }));
    const got = await send(`${proxy.url}/data`);
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"wrong"');
    expect(got.body.toString()).toBe(`{"error":"lies","was":${DATA.length}}`);
    expect(Number(got.headers['content-length'])).toBe(got.body.length);
  });

  it('throttle delivers request and response bodies intact', async () => {
    proxy = await startFaultProxy(origin, () => ({ kind: 'throttle', bytesPerSecond: 512 * 1024 }));
    const got = await send(`${proxy.url}/data`);
    expect(sha(got.body)).toBe(sha(DATA));
    const echoed = await send(`${proxy.url}/echo`, 'POST', upload);
    expect(JSON.parse(echoed.body.toString()).sha256).toBe(sha(upload));
  });

  it('gives the rule the request index and the body bytes seen so far', async () => {
    const seen: FaultRequest[] = [];
    proxy = await startFaultProxy(origin, (r) => (seen.push(r), null));
    await send(`${proxy.url}/echo`, 'POST', Buffer.alloc(300));
    await send(`${proxy.url}/echo`, 'PUT', Buffer.alloc(200));
    await send(`${proxy.url}/data`);
    expect(seen.map((r) => [r.n, r.method, r.bytesSoFar])).toEqual([[0, 'POST', 0], [1, 'PUT', 300], [2, 'GET', 500]]);
  });

  it('answers 502 when the target is down', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    proxy = await startFaultProxy(`http://127.0.0.1:${port}`);
    expect((await send(`${proxy.url}/x`)).status).toBe(502);
  });
});

describe('mulberry32', () => {
  it('is deterministic per seed, in [0, 1), and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
