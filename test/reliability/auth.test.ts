import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Reliability matrix row 9: bad or expired credentials. Through createApp (the real file logger),
 * against a local cloud behind a counting proxy: every file ends `paused: auth` with a typed
 * error, at most 3 requests per file reach the server, and the secret is in no log line.
 */

const BAD_APIKEY = 'BadKeyDoNotLog0000042';
const APP_SECRET = 'AppSecretDoNotLog-7f3a9c';
const SIGNED_APIKEY = 'SignedAppKey000000001';
const FILES = 4;

let tmp: string;
let cloud: LocalCloud;
let proxy: FaultProxy;

beforeAll(async () => {
  tmp = await makeTempDir('ferry-auth-');
  cloud = await startLocalCloud({
    dataDir: path.join(tmp, 'cloud'),
    apps: [{ apikey: 'FerryLocalCloudKey0001' }, { apikey: SIGNED_APIKEY, secret: APP_SECRET, securityRequired: true }],
  });
  proxy = await startFaultProxy(cloud.baseUrl);
});
afterAll(async () => {
  await proxy.close();
  await cloud.close();
  await removeTempDir(tmp);
});

type Creds = { apikey: string; security?: { policy: string; signature: string } };

async function runWith(label: string, opts: Creds): Promise<{ app: FerryApp; requests: number }> {
  const dataDir = path.join(tmp, label);
  const app = await createApp({
    dataDir,
    host: 'web',
    localCloudUrl: cloud.baseUrl,
    defaultDestination: 'filestack',
    providers: ({ limiter }) => ({
      filestack: createFilestackProvider({
        kind: 'filestack',
        apikey: opts.apikey,
        uploadBase: proxy.url,
        cdnBase: proxy.url,
        fileApiBase: proxy.url,
        limiter,
        ...(opts.security ? { security: opts.security } : {}),
      }),
    }),
  });
  const before = proxy.log.length;
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    paths.push(path.join(tmp, `${label}-${i}.bin`));
    await writeRandomFile(paths[i] as string, 50_000 + i);
  }
  await app.engine.addPaths(paths, 'filestack');
  await app.engine.whenIdle();
  const requests = proxy.log.length - before;
  return { app, requests };
}

describe('bad or expired credentials (row 9)', () => {
  it.each([
    ['unknown apikey', () => ({ apikey: BAD_APIKEY }), 'forbidden'],
    ['expired policy', () => ({ apikey: SIGNED_APIKEY, security: createSecurity({ expiry: Math.floor(Date.now() / 1000) - 60, call: ['pick', 'read', 'stat'] }, APP_SECRET) }), 'forbidden'],
    ['wrong signature', () => ({ apikey: SIGNED_APIKEY, security: createSecurity({ expiry: Math.floor(Date.now() / 1000) + 3600 }, 'not-the-secret') }), 'forbidden'],
  ] as [string, () => Creds, string][])('%s: the queue pauses with reason auth, ≤ 3 requests per file, no secret logged', async (label, creds, code) => {
    const c = creds();
    const { app, requests } = await runWith(label.replace(/\s/g, '-'), c);
    const jobs = app.engine.list();
    expect(jobs).toHaveLength(FILES);
    for (const job of jobs) {
      expect(job.status).toMatchObject({ kind: 'paused', reason: 'auth', error: { code, retryable: false } });
    }
    expect(requests).toBeLessThanOrEqual(3 * FILES);
    await app.close();
    const log = await readFile(path.join(app.dataDir, 'logs', 'ferry.log'), 'utf8');
    const views = JSON.stringify(jobs);
    for (const secret of [BAD_APIKEY, APP_SECRET, ...(c.security ? [c.security.signature, c.security.policy] : [])]) {
      expect(log).not.toContain(secret);
      expect(views).not.toContain(secret);
    }
  }, 20_000);
});
