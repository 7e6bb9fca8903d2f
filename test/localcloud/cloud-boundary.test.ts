/**
 * Issue 13, hole 3: no web page drives the local cloud. CORS only for allowed origins (never
 * `*`; foreign preflights get no grant), loopback names only in Host (DNS rebinding), and
 * user-given URLs never reach loopback, private or link-local addresses: not directly, not
 * through a name that resolves there, not through a redirect, unless the operator allows them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { ACCOUNT, AUTH } from './imagekit-support.js';

const WEB_APP = 'http://localhost:5173';
const EVIL = 'https://evil.example';

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** A request with full control of Host and Origin (fetch would not let us set Host). */
function raw(base: string, method: string, route: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${route}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A loopback fixture server that counts what reached it. */
async function fixture(host: string, handler: http.RequestListener): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let dir: string;
let cloud: LocalCloud;
let secret: Awaited<ReturnType<typeof fixture>>;

beforeAll(async () => {
  dir = await makeTempDir('ferry-boundary-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), corsOrigins: [WEB_APP], imagekit: { accounts: [ACCOUNT] } });
  // What an attacker wants to read through the cloud: a service only this machine can reach.
  secret = await fixture('127.0.0.1', (_req, res) => res.end('internal secret'));
});
afterAll(async () => {
  await secret.close();
  await cloud.close();
  await removeTempDir(dir);
});

describe('CORS and Host', () => {
  it('gives a foreign origin no grant: its calls and preflights are refused, authorization is never granted', async () => {
    const list = await raw(cloud.baseUrl, 'GET', '/v1/files', { Origin: EVIL, Authorization: AUTH });
    expect(list.status).toBe(403);
    expect(list.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await raw(cloud.baseUrl, 'OPTIONS', '/v1/files', { Origin: EVIL, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-headers']).toBeUndefined();
    // A simple (unpreflighted) POST from a foreign page is refused before any route runs.
    const start = await raw(cloud.baseUrl, 'POST', '/multipart/start', { Origin: EVIL, 'Content-Type': 'text/plain' }, `apikey=${DEFAULT_LOCAL_APIKEY}`);
    expect(start.status).toBe(403);
    expect(JSON.parse(start.body)).toMatchObject({ code: 'forbidden' });
  });

  it('grants an allowed origin by name (never *), including authorization on its preflight', async () => {
    const list = await raw(cloud.baseUrl, 'GET', '/v1/files', { Origin: WEB_APP, Authorization: AUTH });
    expect(list.status).toBe(200);
    expect(list.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(list.headers.vary).toContain('Origin');
    const pre = await raw(cloud.baseUrl, 'OPTIONS', '/v1/files', { Origin: WEB_APP, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(pre.headers['access-control-allow-headers']).toBe('authorization');
    // Non-browser clients send no Origin and get no grant at all.
    const plain = await raw(cloud.baseUrl, 'GET', '/');
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('learns the web host origin at run time, and refuses "*" as an origin', async () => {
    const late = 'http://127.0.0.1:45678';
    expect((await raw(cloud.baseUrl, 'GET', '/', { Origin: late })).status).toBe(403);
    cloud.allowOrigin(late);
    const ok = await raw(cloud.baseUrl, 'GET', '/', { Origin: late });
    expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([200, late]);
    expect(() => cloud.allowOrigin('*')).toThrow(/Invalid CORS origin/);
  });

  it('answers loopback host names only (a DNS-rebinding page names its own host)', async () => {
    expect((await raw(cloud.baseUrl, 'GET', '/', { Host: `evil.example:${cloud.port}` })).status).toBe(421);
    expect((await raw(cloud.baseUrl, 'GET', '/', { Host: `localhost:${cloud.port}` })).status).toBe(200);
  });
});

describe('URL fetches refuse loopback, private and link-local addresses', () => {
  const storeFromUrl = (url: string): Promise<Raw> =>
    raw(cloud.baseUrl, 'POST', '/process', { 'Content-Type': 'application/json' }, JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [url], tasks: [{ name: 'store', params: {} }] }));

  it('refuses store-from-URL of 127.0.0.1, of 10.0.0.1 and of a name resolving to loopback, with a typed error', async () => {
    for (const [url, range] of [
      [`${secret.url}/`, 'loopback'],
      ['http://10.0.0.1/', 'private'],
      ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
      [`http://localhost:${new URL(secret.url).port}/`, 'loopback'],
      ['http://[::1]:1/', 'loopback'],
    ] as const) {
      const r = await storeFromUrl(url);
      expect(r.status, url).toBe(403);
      const body = JSON.parse(r.body) as { code: string; message: string };
      expect(body.code).toBe('forbidden');
      expect(body.message).toContain(range);
      expect(body.message).toContain('--allow-private-fetch');
    }
    expect(secret.hits()).toBe(0);
  });

  it('refuses the same sources in processing URLs, ImageKit URL uploads and File API overwrites', async () => {
    const cdn = await raw(cloud.baseUrl, 'GET', `/${DEFAULT_LOCAL_APIKEY}/resize=width:10/${secret.url}/x.png`);
    expect(cdn.status).toBe(403);
    const form = new FormData();
    form.append('file', `${secret.url}/x.png`);
    form.append('fileName', 'x.png');
    const ik = await fetch(`${cloud.baseUrl}/api/v1/files/upload`, { method: 'POST', headers: { Authorization: AUTH }, body: form });
    expect(ik.status).toBe(403);
    expect(await ik.json()).toMatchObject({ reason: 'URL_NOT_ALLOWED' });
    const stored = await cloud.storage.putBuffer(Buffer.from('old'), { filename: 'a.txt', mimetype: 'text/plain', apikey: DEFAULT_LOCAL_APIKEY, key: 'a', path: null, container: 'c', location: 's3' });
    const over = await raw(cloud.baseUrl, 'POST', `/api/file/${stored.handle}?key=${DEFAULT_LOCAL_APIKEY}`, { 'Content-Type': 'application/x-www-form-urlencoded' }, `url=${encodeURIComponent(`${secret.url}/`)}`);
    expect(over.status).toBe(403);
    expect(secret.hits()).toBe(0);
  });

  it('checks every redirect: an allowed server that redirects to loopback is refused', async () => {
    // The operator allowed one private address (127.0.0.2); its redirect to 127.0.0.1 is not.
    const narrow = await startLocalCloud({ dataDir: path.join(dir, 'narrow'), allowPrivateFetch: ['127.0.0.2'] });
    const hop = await fixture('127.0.0.2', (req, res) => {
      if (req.url === '/ok') res.end('fine');
      else res.writeHead(302, { Location: `${secret.url}/` }).end();
    });
    try {
      const post = (url: string): Promise<Raw> =>
        raw(narrow.baseUrl, 'POST', '/process', { 'Content-Type': 'application/json' }, JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [url], tasks: [{ name: 'store', params: {} }] }));
      const ok = await post(`${hop.url}/ok`);
      expect(ok.status, ok.body).toBe(200);
      const redirected = await post(`${hop.url}/go`);
      expect(redirected.status).toBe(403);
      expect(JSON.parse(redirected.body)).toMatchObject({ code: 'forbidden' });
      expect(hop.hits()).toBe(2);
      expect(secret.hits()).toBe(0);
    } finally {
      await hop.close();
      await narrow.close();
    }
  });

  it('fetches private addresses when the operator allows them (--allow-private-fetch)', async () => {
    const open = await startLocalCloud({ dataDir: path.join(dir, 'open'), allowPrivateFetch: true });
    try {
      const r = await raw(open.baseUrl, 'POST', '/process', { 'Content-Type': 'application/json' }, JSON.stringify({ apikey: DEFAULT_LOCAL_APIKEY, sources: [`${secret.url}/`], tasks: [{ name: 'store', params: {} }] }));
      expect(r.status, r.body).toBe(200);
      expect(secret.hits()).toBe(1);
    } finally {
      await open.close();
    }
  });
});
