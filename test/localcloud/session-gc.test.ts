/**
 * Issue 13, hole 6: abandoned multipart sessions are removed (after 24 h idle, with an injected
 * clock instead of a day's wait), and the disk unfinished sessions hold is capped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY as apikey, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const HOUR = 3_600_000;
type Session = { uri: string; region: string; upload_id: string };

let dir: string;
let offset = 0;
const clock = (): number => Date.now() + offset;

async function post(cloud: LocalCloud, route: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${cloud.baseUrl}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Starts a session and sends its first part (the whole `bytes`), then walks away. */
async function abandon(cloud: LocalCloud, bytes: Buffer): Promise<Session> {
  const start = await post(cloud, '/multipart/start', { apikey, filename: 'a.bin', mimetype: 'application/octet-stream', size: bytes.length });
  expect(start.status).toBe(200);
  const s = start.json as unknown as Session;
  const md5 = createHash('md5').update(bytes).digest('base64');
  const u = await post(cloud, '/multipart/upload', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, part: 1, size: bytes.length, md5 });
  const { url, headers } = u.json as { url: string; headers: Record<string, string> };
  expect((await fetch(url, { method: 'PUT', headers, body: bytes })).status).toBe(200);
  return s;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

beforeAll(async () => {
  dir = await makeTempDir('ferry-session-gc-');
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe('multipart session GC', () => {
  it('removes an upload abandoned for 24 h (not at 23 h), and its client is told to start over', async () => {
    offset = 0;
    const cloud = await startLocalCloud({ dataDir: path.join(dir, 'expire'), sessions: { clock } });
    try {
      const s = await abandon(cloud, randomBytes(64 * 1024));
      const folder = cloud.storage.uploadDir(s.upload_id);
      offset = 23 * HOUR;
      expect((await cloud.sweepSessions()).removed).toEqual([]);
      expect(await exists(folder)).toBe(true);
      offset = 25 * HOUR;
      const swept = await cloud.sweepSessions();
      expect(swept.removed).toEqual([s.upload_id]);
      expect(swept.heldBytes).toBe(0);
      expect(await exists(folder)).toBe(false);
      // The client that comes back is told its session is gone, so it starts over.
      const complete = await post(cloud, '/multipart/complete', { apikey, uri: s.uri, region: s.region, upload_id: s.upload_id, size: 65_536, parts: [{ part_number: 1, etag: '"x"' }] });
      expect([complete.status, complete.json.code]).toEqual([404, 'NoSuchUpload']);
    } finally {
      await cloud.close();
    }
  });

  it('caps the bytes unfinished uploads hold: idle ones make room, live ones are never evicted, else 507', async () => {
    offset = 0;
    const cloud = await startLocalCloud({ dataDir: path.join(dir, 'cap'), sessions: { clock, maxBytes: 1_000_000, minIdleToEvictMs: HOUR } });
    try {
      const tooBig = await post(cloud, '/multipart/start', { apikey, filename: 'b.bin', size: 2_000_000 });
      expect([tooBig.status, tooBig.json.code]).toEqual([507, 'insufficient_storage']);
      const first = await abandon(cloud, randomBytes(600_000));
      // The first upload is still live (idle for less than an hour): no room, and it keeps its parts.
      const refused = await post(cloud, '/multipart/start', { apikey, filename: 'c.bin', size: 600_000 });
      expect(refused.status).toBe(507);
      expect(await exists(cloud.storage.uploadDir(first.upload_id))).toBe(true);
      // Two hours later it is idle: it is evicted to make room for the new one.
      offset = 2 * HOUR;
      const second = await post(cloud, '/multipart/start', { apikey, filename: 'c.bin', size: 600_000 });
      expect(second.status).toBe(200);
      expect(await exists(cloud.storage.uploadDir(first.upload_id))).toBe(false);
    } finally {
      await cloud.close();
    }
  });
});
