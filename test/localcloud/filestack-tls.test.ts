/**
 * `npm run localcloud -- --tls`: the certificate made once under <data>/tls, `location_url`
 * answered as a bare `host:port` (what every SDK expects), and clients that trust the
 * certificate the documented way: a Python client built like filestack-python (it always
 * requests `https://{location_url}/...`), Ferry's own client with NODE_EXTRA_CA_CERTS, and a
 * processing URL carrying a non-standard `--apikey`.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrlOf, startLocalCloud } from '../../src-main/localcloud/server.js';
import { ensureTlsMaterial } from '../../src-main/localcloud/tls.js';
import { hashBytes } from '../support/files.js';
import { killGroup, spawnLocalCloud, waitForUrl } from '../support/localcloud-cli.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const run = promisify(execFile);
const APIKEY = 'SOMEAPIKEY';

/** filestack-python 4.0.0's upload sequence (spec §3), in the standard library only. */
const PY_CLIENT = String.raw`
import base64, hashlib, json, os, ssl, sys, urllib.request
start_url, apikey, path = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=os.environ['REQUESTS_CA_BUNDLE'])
def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={'Content-Type': 'application/json'})
    return json.loads(urllib.request.urlopen(req, context=ctx).read() or b'{}')
data = open(path, 'rb').read()
start = post(start_url + '/multipart/start', {'apikey': apikey, 'filename': 'py.bin', 'mimetype': 'application/octet-stream', 'size': len(data), 'store': {'location': 'S3'}})
loc = 'https://' + start['location_url']  # the SDK never looks at the scheme
common = {k: start[k] for k in ('uri', 'region', 'upload_id')}
md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
up = post(loc + '/multipart/upload', {'apikey': apikey, **common, 'part': 1, 'size': len(data), 'md5': md5, 'store': {'location': 'S3'}})
put = urllib.request.Request(up['url'], data=data, headers=up['headers'], method='PUT')
etag = urllib.request.urlopen(put, context=ctx).headers['ETag']
done = post(loc + '/multipart/complete', {'apikey': apikey, **common, 'filename': 'py.bin', 'mimetype': 'application/octet-stream', 'size': len(data), 'store': {'location': 'S3'}, 'parts': [{'part_number': 1, 'etag': etag}]})
thumb = urllib.request.urlopen(start_url + '/' + apikey + '/resize=width:8/' + done['handle'], context=ctx)
print(json.dumps({'location_url': start['location_url'], 'handle': done['handle'], 'url': done['url'], 'thumb_type': thumb.headers['Content-Type']}))
`;

let dir: string;
let child: ChildProcess | null = null;
let base = '';
let certPath = '';
let banner: string[] = [];

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-tls-');
  child = spawnLocalCloud(['--tls', '--fii', '--port', '0', '--data', path.join(dir, 'cloud'), '--apikey', APIKEY]);
  const started = await waitForUrl(child, '  trust it:');
  base = started.url;
  banner = started.lines;
  certPath = path.join(dir, 'cloud', 'tls', 'cert.pem');
});
afterAll(async () => {
  if (child) killGroup(child, 'SIGKILL');
  await removeTempDir(dir);
});

describe('localcloud --tls', () => {
  it('prints the certificate path and how to trust it; the key is private', async () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain(`tls certificate: ${certPath} (new)`);
    expect(banner.join('\n')).toContain(`NODE_EXTRA_CA_CERTS=${certPath}`);
    expect(banner.join('\n')).toContain(`REQUESTS_CA_BUNDLE=${certPath}`);
    const cert = new X509Certificate(await readFile(certPath));
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect((await stat(path.join(dir, 'cloud', 'tls', 'key.pem'))).mode & 0o077).toBe(0);
  });

  it('a filestack-python style client uploads: location_url is a bare host:port', async () => {
    const script = path.join(dir, 'client.py');
    await writeFile(script, PY_CLIENT);
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699', noise: { type: 'gaussian', mean: 100, sigma: 40 } } }).png().toBuffer();
    const src = path.join(dir, 'py-src.png');
    await writeFile(src, bytes);
    const { stdout } = await run('python3', [script, base, APIKEY, src], { env: { ...process.env, REQUESTS_CA_BUNDLE: certPath }, timeout: 30_000 });
    const out = JSON.parse(stdout.trim()) as { location_url: string; handle: string; url: string; thumb_type: string };
    expect(out.location_url).toBe(base.slice('https://'.length));
    expect(out.url).toBe(`${base}/${out.handle}`);
    // A processing URL carrying the configured (non 22-character) apikey renders.
    expect(out.thumb_type).toBe('image/png');
    const { stdout: again } = await run('python3', ['-c', 'import os,ssl,sys,urllib.request;print(urllib.request.urlopen(sys.argv[1],context=ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])).read().hex())', out.url], {
      env: { ...process.env, REQUESTS_CA_BUNDLE: certPath },
      maxBuffer: 1024 * 1024,
    });
    expect(hashBytes(Buffer.from(again.trim(), 'hex'))).toBe(hashBytes(bytes));
  });

  it("Ferry's own client uploads over TLS with NODE_EXTRA_CA_CERTS, regular and intelligent", async () => {
    const bytes = randomBytes(300_000);
    const src = path.join(dir, 'ferry-src.bin');
    await writeFile(src, bytes);
    for (const mode of ['regular', 'intelligent']) {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/support/filestack-upload-child.ts', base, APIKEY, src, mode], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
        timeout: 45_000,
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err) }));
      const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { remoteId?: string; url?: string; error?: string };
      expect(out.error).toBeUndefined();
      expect(out.url).toBe(`${base}/${out.remoteId ?? ''}`);
    }
  });

  it('refuses a client that does not trust the certificate', async () => {
    const res = await run(process.execPath, ['-e', `fetch(${JSON.stringify(base)}).then(()=>console.log('trusted'),(e)=>console.log(e.cause?.code ?? e.message))`], { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    expect(res.stdout.trim()).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});

describe('TLS material and base URLs', () => {
  it('makes the certificate once and keeps it; a damaged one is made again', async () => {
    const data = path.join(dir, 'material');
    const first = await ensureTlsMaterial(data);
    const second = await ensureTlsMaterial(data);
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.cert).toBe(first.cert);
    const withHost = await ensureTlsMaterial(data, 'ferry.test');
    expect(withHost.created).toBe(true);
    expect(new X509Certificate(withHost.cert).checkHost('ferry.test')).toBe('ferry.test');
    await writeFile(withHost.certPath, 'not a certificate');
    expect((await ensureTlsMaterial(data, 'ferry.test')).created).toBe(true);
  });

  it('leaves default ports out of the base URL; plain HTTP answers a full location_url', async () => {
    expect(baseUrlOf('http', '127.0.0.1', 80)).toBe('http://127.0.0.1');
    expect(baseUrlOf('https', '127.0.0.1', 443)).toBe('https://127.0.0.1');
    expect(baseUrlOf('https', '127.0.0.1', 80)).toBe('https://127.0.0.1:80');
    expect(baseUrlOf('http', '[::1]', 8080)).toBe('http://[::1]:8080');
    const cloud = await startLocalCloud({ dataDir: path.join(dir, 'plain'), apps: [{ apikey: APIKEY }], imagekit: false });
    try {
      const res = await fetch(`${cloud.baseUrl}/multipart/start`, { method: 'POST', body: JSON.stringify({ apikey: APIKEY, filename: 'a', size: 1, store: { location: 's3' } }), headers: { 'Content-Type': 'application/json' } });
      expect(((await res.json()) as { location_url: string }).location_url).toBe(cloud.baseUrl);
    } finally {
      await cloud.close();
    }
  });
});
