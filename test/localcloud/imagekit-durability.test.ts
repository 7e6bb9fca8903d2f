import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../src-main/protocol/imagekit/webhook.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { ACCOUNT, api, get, png, startIkCloud, upload } from './imagekit-support.js';

let red: Buffer;
let helper: http.Server;
let helperUrl: string;
const webhooks: { body: string; signature: string }[] = [];

beforeAll(async () => {
  red = await png(16, 16, '#ff0000');
  helper = http.createServer((req, res) => {
    if (req.url === '/stall') return; // never answers: the upload's header timeout must fire
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      webhooks.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers[WEBHOOK_SIGNATURE_HEADER] ?? '') });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => helper.listen(0, '127.0.0.1', r));
  helperUrl = `http://127.0.0.1:${(helper.address() as AddressInfo).port}`;
});
afterAll(async () => {
  helper.closeAllConnections();
  await new Promise((r) => helper.close(r));
});

describe('ImageKit front end durability', () => {
  it('keeps the index and blobs across a restart on the same data folder', async () => {
    const dir = await makeTempDir('ferry-ik-restart-');
    try {
      const first = await startIkCloud({}, dir);
      const up = await upload(first, { file: red, fileName: 'keep.png', useUniqueFileName: 'false', tags: 'a' });
      expect(up.status).toBe(200);
      await first.close();
      const second = await startIkCloud({}, dir);
      const details = await api(second, 'GET', `/v1/files/${up.json.fileId}/details`);
      expect(details.json).toMatchObject({ name: 'keep.png', tags: ['a'] });
      expect((await get(`${second.endpoint}/keep.png`)).body.equals(red)).toBe(true);
      await second.close();
    } finally {
      await removeTempDir(dir);
    }
  });

  it('lets exactly one of two concurrent same-name uploads win when overwriting is off', async () => {
    const ik = await startIkCloud();
    try {
      const fields = { file: red, fileName: 'race.png', useUniqueFileName: 'false', overwriteFile: 'false' };
      const results = await Promise.all([upload(ik, fields), upload(ik, fields), upload(ik, fields)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
      expect((await api(ik, 'GET', '/v1/files')).json).toHaveLength(1);
    } finally {
      await ik.close();
    }
  });

  it('gives up on a URL whose server sends no headers within the timeout (400)', async () => {
    // The silent server is a loopback fixture (an explicit opt-in).
    const ik = await startIkCloud({ urlFetchTimeoutMs: 300 }, undefined, undefined, { allowPrivateFetch: ['127.0.0.1'] });
    try {
      const r = await upload(ik, { file: `${helperUrl}/stall`, fileName: 'slow.png' });
      expect(r.status).toBe(400);
      expect(r.json.message).toContain('no response within');
    } finally {
      await ik.close();
    }
  });

  it('POSTs a signed file.created event to the upload webhookUrl', async () => {
    const ik = await startIkCloud();
    try {
      const r = await upload(ik, { file: red, fileName: 'hook.png', webhookUrl: `${helperUrl}/hook` });
      expect(r.status).toBe(200);
      await expect.poll(() => webhooks.length, { timeout: 5000 }).toBeGreaterThan(0);
      const hook = webhooks[0];
      const check = verifyWebhook(hook?.body ?? '', hook?.signature ?? '', ACCOUNT.privateKey, { now: Date.now() });
      expect(check.ok).toBe(true);
      expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ type: 'file.created', data: { fileId: r.json.fileId } });
    } finally {
      await ik.close();
    }
  });
});
