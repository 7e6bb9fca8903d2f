import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { download } from '../../src-main/providers/filestack/file-api.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { hashBytes } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Interop with the official filestack-js (4.3.8) Node build, run in a child process so a crash
 * in it cannot take the test runner down. filestack-js passes `host:port` to DNS, so any URL
 * with an explicit port fails: the local cloud is served on plain http://127.0.0.1 (port 80;
 * tests run as root) and its advertised base URL drops the default port, because filestack-js
 * uses `location_url` verbatim when it starts with `http`. The SDK's base URLs are swapped via
 * `client.session.urls`. `client.download()` ignores those (it builds a Filelink on the public
 * CDN), so reads go through `metadata()` and `retrieve()` (File API host).
 */

const APIKEY = 'InteropTestKey00000001';
const SDK = path.resolve('node_modules/filestack-js');

const CHILD = String.raw`
const fs = require('fs');
const filestack = require(process.env.FS_JS);
const [mode, apikey, arg] = process.argv.slice(2);
const done = (v) => { process.stdout.write(JSON.stringify(v) + '\n'); process.exit(0); };
const fail = (e) => { process.stdout.write(JSON.stringify({ error: String((e && (e.stack || e.message)) || e) }) + '\n'); process.exit(2); };
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
const base = process.env.BASE;
const client = filestack.init(apikey);
client.session.urls = { ...client.session.urls, uploadApiUrl: base, cdnUrl: base, fileApiUrl: base + '/api/file', processUrl: base };
if (mode === 'upload') {
  client.upload(fs.readFileSync(arg), { retry: 0 }, { filename: 'from-sdk.bin' }).then(done, fail);
} else {
  Promise.all([client.metadata(arg, { size: true, md5: true, filename: true }), client.retrieve(arg)]).then(([meta, res]) => {
    const data = Buffer.isBuffer(res) ? res : Buffer.from(res && res.data !== undefined ? res.data : res);
    done({ meta, b64: data.toString('base64') });
  }, fail);
}
`;

let dir: string;
let cloud: LocalCloud | null = null;
let skipReason = '';

function runChild(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(dir, 'sdk-child.cjs'), ...args], { env: { ...process.env, FS_JS: SDK, BASE: 'http://127.0.0.1' }, timeout: 20_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        reject(new Error(`filestack-js child failed (${err?.message ?? 'no JSON'}): ${stdout} ${stderr}`));
      }
    });
  });
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-interop-');
  await writeFile(path.join(dir, 'sdk-child.cjs'), CHILD);
  try {
    cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), port: 80, apps: [{ apikey: APIKEY }] });
    // filestack-js cannot use a URL with an explicit port (see above).
    cloud.context.baseUrl = 'http://127.0.0.1';
  } catch (err) {
    skipReason = `port 80 is not available (${(err as NodeJS.ErrnoException).code ?? String(err)}); filestack-js needs a port-less URL`;
  }
});
afterAll(async () => {
  await cloud?.close();
  await removeTempDir(dir);
});

describe('official filestack-js ↔ Ferry through the local cloud', () => {
  it('filestack-js uploads a file that Ferry downloads byte-identical', async (t) => {
    if (!cloud) return t.skip(skipReason);
    const bytes = randomBytes(200_000);
    const src = path.join(dir, 'sdk-src.bin');
    await writeFile(src, bytes);
    const res = await runChild(['upload', APIKEY, src]);
    expect(res.error, String(res.error)).toBeUndefined();
    expect(res).toMatchObject({ status: 'Stored', size: bytes.length });
    const handle = String(res.handle);
    expect(handle).toMatch(/^[A-Za-z0-9]{20}$/);
    const dest = path.join(dir, 'ferry-dl.bin');
    await download({ apikey: APIKEY, cdnBase: 'http://127.0.0.1', fileApiBase: 'http://127.0.0.1' }, handle, dest);
    expect(hashBytes(await readFile(dest))).toBe(hashBytes(bytes));
  });

  it('Ferry uploads a file that filestack-js reads back (metadata + retrieve)', async (t) => {
    if (!cloud) return t.skip(skipReason);
    const bytes = randomBytes(150_000);
    const src = path.join(dir, 'ferry-src.bin');
    await writeFile(src, bytes);
    const provider = createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: 'http://127.0.0.1', cdnBase: 'http://127.0.0.1', fileApiBase: 'http://127.0.0.1' });
    const noCheckpoint = { load: () => undefined, save: () => undefined, clear: () => undefined };
    const up = await provider.upload(
      { path: src, name: 'from-ferry.bin', relativePath: null, size: bytes.length, mimetype: 'application/octet-stream' },
      { signal: new AbortController().signal, onProgress: () => undefined, checkpoint: noCheckpoint },
    );
    const res = await runChild(['read', APIKEY, up.remoteId]);
    expect(res.error, String(res.error)).toBeUndefined();
    expect(res.meta).toMatchObject({ handle: up.remoteId, size: bytes.length, filename: 'from-ferry.bin', md5: hashBytes(bytes, 'md5') });
    expect(Buffer.from(String(res.b64), 'base64').equals(bytes)).toBe(true);
  });
});
