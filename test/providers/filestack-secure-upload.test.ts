import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const APIKEY = 'SecureAppKey0000000001';
const SECRET = 'local-test-secret';

let dir: string;
let cloud: LocalCloud;

beforeEach(async () => {
  dir = await makeTempDir('ferry-fs-secure-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey: APIKEY, secret: SECRET, securityRequired: true }] });
});
afterEach(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

const ctx = () => ({ signal: new AbortController().signal, onProgress: () => undefined, checkpoint: { load: () => undefined, save: () => undefined, clear: () => undefined } });

describe('filestack provider with a security policy', () => {
  it('uploads with a valid policy; reads need it too', async () => {
    const file = path.join(dir, 'a.bin');
    const bytes = await writeRandomFile(file, 70_000);
    const security = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['pick', 'read', 'stat'] }, SECRET);
    const p = createFilestackProvider({ kind: 'filestack', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: `${cloud.baseUrl}/api/file`, security });
    const result = await p.upload({ path: file, name: 'a.bin', relativePath: null, size: bytes.length, mimetype: 'application/octet-stream' }, ctx());
    expect(result.md5).toBe(hashBytes(bytes, 'md5'));

    expect((await fetch(result.url)).status).toBe(403);
    const signed = await fetch(`${cloud.baseUrl}/security=p:${security.policy},s:${security.signature}/${result.remoteId}`);
    expect(signed.status).toBe(200);
    expect(hashBytes(Buffer.from(await signed.arrayBuffer()))).toBe(hashBytes(bytes));
  });

  it('refuses uploads without a policy, with a bad signature, or an expired policy', async () => {
    const file = path.join(dir, 'b.bin');
    await writeRandomFile(file, 1000);
    const source = { path: file, name: 'b.bin', relativePath: null, size: 1000, mimetype: 'application/octet-stream' };
    const base = { kind: 'filestack' as const, apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl };
    const expired = createSecurity({ expiry: Math.floor(Date.now() / 1000) - 10 }, SECRET);
    const forged = { ...createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600 }, 'wrong-secret') };
    for (const security of [undefined, expired, forged]) {
      const err = await createFilestackProvider({ ...base, ...(security ? { security } : {}) })
        .upload(source, ctx())
        .catch((e: unknown) => e);
      expect(toAppError(err)).toMatchObject({ code: 'forbidden', retryable: false });
    }
  });
});
