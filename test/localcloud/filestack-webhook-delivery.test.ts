import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { pollConversion, startConversion } from '../../src-main/providers/filestack/av.js';
import { verifyWebhook } from '../../src-main/protocol/filestack/webhook.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const APIKEY = 'HookTestKey00000000001';
const SECRET = 'app-secret';
const WEBHOOK_SECRET = 'dedicated-webhook-secret';

type Delivery = { headers: http.IncomingHttpHeaders; raw: Buffer; json: { action: string; id: number; timestamp: number; text: Record<string, unknown> } };

let dir: string;
let cloud: LocalCloud;
let receiver: http.Server;
let receiverUrl: string;
let deliveries: Delivery[] = [];
/** Statuses the receiver answers, in order; then 200. */
let script: number[] = [];
const waiters: (() => void)[] = [];

beforeAll(async () => {
  dir = await makeTempDir('ferry-hooks-');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      deliveries.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) as Delivery['json'] });
      res.writeHead(script.shift() ?? 200);
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: APIKEY, secret: SECRET, webhookSecret: WEBHOOK_SECRET, webhookUrls: [receiverUrl] }],
    filestack: { webhooks: { retryDelaysMs: [30, 30, 30] } },
  });
});
afterAll(async () => {
  await cloud.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await removeTempDir(dir);
});
beforeEach(() => {
  deliveries = [];
  script = [];
});

async function waitFor(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise<void>((r) => waiters.push(r));
}

async function post(route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${cloud.baseUrl}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Waits one retry delay, causally: a marker upload whose first delivery is refused is redelivered
 * one delay later. Deliveries that were due one delay after the earlier ones would have arrived
 * by then, so their absence after this is meaningful (no sleep and hope).
 */
async function oneRetryDelayLater(): Promise<void> {
  script = [500];
  await upload(Buffer.from('marker'), 'marker.txt', 'text/plain');
  await waitFor(() => deliveries.filter((d) => d.json.text.filename === 'marker.txt').length >= 2);
}
const deliveriesOf = (filename: string): Delivery[] => deliveries.filter((d) => d.json.text.filename === filename);

/** A spec-only multipart upload (§3): start → upload → PUT → complete. */
async function upload(bytes: Buffer, filename: string, mimetype: string): Promise<{ handle: string }> {
  const s = await post('/multipart/start', { apikey: APIKEY, filename, mimetype, size: bytes.length, store: { location: 's3' } });
  const md5 = createHash('md5').update(bytes).digest('base64');
  const keys = { apikey: APIKEY, uri: s.uri, region: s.region, upload_id: s.upload_id };
  const u = (await post('/multipart/upload', { ...keys, part: 1, size: bytes.length, md5 })) as { url: string; headers: Record<string, string> };
  const put = await fetch(u.url, { method: 'PUT', headers: u.headers, body: bytes });
  expect(put.status).toBe(200);
  const done = await post('/multipart/complete', { ...keys, filename, mimetype, size: bytes.length, parts: [{ part_number: 1, etag: put.headers.get('etag') }] });
  return { handle: String(done.handle) };
}

const verify = (d: Delivery, secret = WEBHOOK_SECRET, raw: Buffer = d.raw) => verifyWebhook({ secret, rawBody: raw, headers: d.headers as Record<string, string>, now: Math.floor(Date.now() / 1000) });

describe('local cloud webhooks (spec §9)', () => {
  it('POSTs a signed fp.upload after a completed upload; tampering breaks the signature', async () => {
    const { handle } = await upload(Buffer.from('hello webhook'), 'hello.txt', 'text/plain');
    await waitFor(() => deliveries.length >= 1);
    const d = deliveries[0] as Delivery;
    expect(d.json.action).toBe('fp.upload');
    expect(typeof d.json.id).toBe('number');
    expect(d.json.text).toMatchObject({ url: `${cloud.baseUrl}/${handle}`, filename: 'hello.txt', size: 13, type: 'text/plain', status: 'Stored' });
    expect(d.headers['fs-timestamp']).toMatch(/^\d+$/);
    expect(d.headers['fs-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(d)).toEqual({ ok: true });
    // Signed with the dedicated webhook secret, not the app secret.
    expect(verify(d, SECRET)).toMatchObject({ ok: false, reason: 'mismatch' });
    const tampered = Buffer.from(d.raw.toString('utf8').replace('hello.txt', 'hellO.txt'));
    expect(verify(d, WEBHOOK_SECRET, tampered)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('redelivers when the receiver answers 500 (then 503), stopping at the first 2xx', async () => {
    script = [500, 503];
    await upload(Buffer.from('retry me'), 'r.txt', 'text/plain');
    await waitFor(() => deliveries.length >= 3);
    expect(deliveries.map((d) => d.json.action)).toEqual(['fp.upload', 'fp.upload', 'fp.upload']);
    expect(new Set(deliveries.map((d) => d.json.id)).size).toBe(1);
    for (const d of deliveries) expect(verify(d)).toEqual({ ok: true });
    await oneRetryDelayLater();
    expect(deliveriesOf('r.txt')).toHaveLength(3);
  });

  it('gives up after 3 retries when the receiver keeps failing', async () => {
    script = [500, 500, 500, 500, 500];
    await upload(Buffer.from('never accepted'), 'n.txt', 'text/plain');
    await waitFor(() => deliveries.length >= 4);
    await oneRetryDelayLater();
    expect(deliveriesOf('n.txt')).toHaveLength(4);
  });

  it('POSTs fp.video_complete after a conversion, with the job status as text', async () => {
    const wav = path.join(dir, 'a.wav');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-y', wav]);
    const { handle } = await upload(await readFile(wav), 'a.wav', 'audio/wav');
    const cfg = { cdnBase: cloud.baseUrl, apikey: APIKEY };
    const conv = await startConversion(cfg, handle, { preset: 'mp3' });
    const final = await pollConversion(cfg, conv, { initialDelayMs: 50, maxDelayMs: 200 });
    expect(final.status).toBe('completed');
    await waitFor(() => deliveries.some((d) => d.json.action === 'fp.video_complete'));
    const d = deliveries.find((x) => x.json.action === 'fp.video_complete') as Delivery;
    expect(d.json.text).toMatchObject({ uuid: conv.uuid, status: 'completed', data: { url: final.data?.url } });
    expect(verify(d)).toEqual({ ok: true });
  }, 30_000);
});
