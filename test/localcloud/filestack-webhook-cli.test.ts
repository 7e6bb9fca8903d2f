import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cliOptions } from '../../src-main/localcloud/cli-options.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { verifyWebhook } from '../../src-main/protocol/filestack/webhook.js';
import { killGroup, LOCALCLOUD_CLI, spawnLocalCloud, waitForUrl } from '../support/localcloud-cli.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** The standalone local cloud's app configuration (flags + FERRY_LC_* env vars) end to end. */

let child: ChildProcess | null = null;
let receiver: http.Server | null = null;
let dir = '';

afterEach(async () => {
  if (child) killGroup(child, 'SIGKILL');
  child = null;
  if (receiver) await new Promise<void>((r) => receiver?.close(() => r()));
  receiver = null;
  if (dir) await removeTempDir(dir);
});

describe('localcloud CLI app configuration', () => {
  it('--help documents every flag and env var', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...LOCALCLOUD_CLI, '--help']);
    // Every flag the parser accepts (its own table), and every FERRY_LC_* variable the CLI reads
    // (from its source), so a new flag or variable cannot go undocumented.
    const flags = Object.entries(cliOptions({})).flatMap(([name, o]) => [`--${name}`, ...('short' in o ? [`-${o.short}`] : [])]);
    expect(flags.length).toBeGreaterThan(15);
    const source = (await readFile('src-main/localcloud/cli.ts', 'utf8')) + (await readFile('src-main/localcloud/cli-options.ts', 'utf8'));
    const envVars = [...new Set(source.match(/FERRY_LC_[A-Z_]+/g))];
    expect(envVars.length).toBeGreaterThan(10);
    const undocumented = [...flags, ...envVars].filter((word) => !new RegExp(`(^|[\\s(,])${word}(?![\\w-])`, 'm').test(stdout));
    expect(undocumented).toEqual([]);
  }, 30_000);

  it('env vars configure apikey, secret, required security and webhooks', async () => {
    dir = await makeTempDir('ferry-lc-cli-');
    const got: { headers: http.IncomingHttpHeaders; raw: Buffer }[] = [];
    let arrived: () => void = () => undefined;
    const delivered = new Promise<void>((r) => (arrived = r));
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(204).end();
        arrived();
      });
    });
    await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/in`;
    const apikey = 'CliEnvConfiguredKey001';
    const secret = 'cli-secret';
    child = spawnLocalCloud(['--port', '0', '--data', dir], { ...process.env, FERRY_LC_APIKEY: apikey, FERRY_LC_SECRET: secret, FERRY_LC_SECURITY_REQUIRED: '1', FERRY_LC_WEBHOOKS: ` ${hook} ` });
    const { url, out } = await waitForUrl(child, 'webhooks: ');
    expect(out).toContain(`apikey: ${apikey}`);
    expect(out).toContain('security: required');
    const bytes = Buffer.from('configured by env');
    const start = { apikey, filename: 'e.txt', mimetype: 'text/plain', size: bytes.length, store: { location: 's3' } };
    const post = (route: string, body: unknown) => fetch(`${url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/multipart/start', start)).status).toBe(403);
    const sec = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['pick'] }, secret);
    const s = (await (await post('/multipart/start', { ...start, ...sec })).json()) as Record<string, string>;
    const keys = { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, ...sec };
    const md5 = createHash('md5').update(bytes).digest('base64');
    const u = (await (await post('/multipart/upload', { ...keys, part: 1, size: bytes.length, md5 })).json()) as { url: string; headers: Record<string, string> };
    const put = await fetch(u.url, { method: 'PUT', headers: u.headers, body: bytes });
    const done = await post('/multipart/complete', { ...keys, filename: 'e.txt', mimetype: 'text/plain', size: bytes.length, parts: [{ part_number: 1, etag: put.headers.get('etag') }] });
    expect(done.status).toBe(200);
    await delivered;
    const d = got[0];
    expect(JSON.parse(d?.raw.toString('utf8') ?? '{}')).toMatchObject({ action: 'fp.upload', text: { filename: 'e.txt', size: bytes.length } });
    expect(verifyWebhook({ secret, rawBody: d?.raw ?? '', headers: d?.headers as Record<string, string>, now: Math.floor(Date.now() / 1000) })).toEqual({ ok: true });
  }, 40_000);
});
