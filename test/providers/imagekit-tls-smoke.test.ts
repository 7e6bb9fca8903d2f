/**
 * TLS smoke for the official ImageKit clients against the local cloud served over HTTPS (their
 * full surface over HTTP is in imagekit-sdk-interop.test.ts): `@imagekit/nodejs` (v7, `baseURL`)
 * and `imagekit` v6 (`uploadEndpoint`) each upload a file and read it back through a `tr:` URL,
 * in a child process that trusts the cloud's certificate with NODE_EXTRA_CA_CERTS.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { ensureTlsMaterial } from '../../src-main/localcloud/tls.js';
import { ACCOUNT, png } from '../localcloud/imagekit-support.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const CHILD = String.raw`
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const [repo, base, endpoint, privateKey, publicKey, file] = process.argv.slice(2);
const require = createRequire(repo + '/package.json');
const ImageKitV7 = require('@imagekit/nodejs').default;
const ImageKitV6 = require('imagekit');
const photo = readFileSync(file);
const widthOf = async (url) => {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  // PNG IHDR width: bytes 16..19.
  return { status: res.status, type: res.headers.get('content-type'), width: body.readUInt32BE(16) };
};
const out = {};
const v7 = new ImageKitV7({ privateKey, baseURL: base });
const up7 = await v7.files.upload({ file: await ImageKitV7.toFile(photo, 'v7.png'), fileName: 'v7.png', useUniqueFileName: false });
out.v7 = { upload: { name: up7.name, width: up7.width, url: up7.url }, delivered: await widthOf(endpoint + '/tr:w-30/v7.png') };
const v6 = new ImageKitV6({ publicKey, privateKey, urlEndpoint: endpoint, uploadEndpoint: base + '/api/v1/files/upload' });
const up6 = await v6.upload({ file: photo, fileName: 'v6.png', useUniqueFileName: false });
out.v6 = { upload: { name: up6.name, width: up6.width, url: up6.url }, delivered: await widthOf(v6.url({ path: '/v6.png', transformation: [{ width: '20' }], signed: true, expireSeconds: 300 })) };
process.stdout.write(JSON.stringify(out) + '\n');
`;

let dir: string;
let cloud: LocalCloud;
let certPath: string;

beforeAll(async () => {
  dir = await makeTempDir('ferry-ik-tls-');
  const tls = await ensureTlsMaterial(path.join(dir, 'cloud'));
  certPath = tls.certPath;
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), imagekit: { accounts: [ACCOUNT] }, tls: { cert: tls.cert, key: tls.key } });
  await writeFile(path.join(dir, 'child.mjs'), CHILD);
  await writeFile(path.join(dir, 'photo.png'), await png(90, 60, '#228844', true));
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

describe('ImageKit clients over TLS', () => {
  it('@imagekit/nodejs and imagekit v6 upload and read back a transformed image', async () => {
    expect(cloud.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const endpoint = `${cloud.baseUrl}/ik/${ACCOUNT.imagekitId}`;
    const args = [path.join(dir, 'child.mjs'), process.cwd(), cloud.baseUrl, endpoint, ACCOUNT.privateKey, ACCOUNT.publicKey, path.join(dir, 'photo.png')];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath }, timeout: 45_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)));
    });
    const out = JSON.parse(stdout.trim()) as Record<'v7' | 'v6', { upload: { name: string; width: number; url: string }; delivered: { status: number; type: string; width: number } }>;
    expect(out.v7.upload).toEqual({ name: 'v7.png', width: 90, url: `${endpoint}/v7.png` });
    expect(out.v7.delivered).toEqual({ status: 200, type: 'image/png', width: 30 });
    expect(out.v6.upload).toEqual({ name: 'v6.png', width: 90, url: `${endpoint}/v6.png` });
    expect(out.v6.delivered).toEqual({ status: 200, type: 'image/png', width: 20 });
  });
});

