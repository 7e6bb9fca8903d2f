import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { killGroup, spawnLocalCloud, waitForUrl } from '../support/localcloud-cli.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * A client written only from the spec (filestack-protocol.md §3, §6) with plain fetch, against
 * the standalone `localcloud` CLI in a child process: proves the wire protocol, not our client.
 */

let child: ChildProcess | null = null;
let dir = '';

afterEach(async () => {
  if (child) killGroup(child, 'SIGKILL');
  child = null;
  await removeTempDir(dir);
});

const b64md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('localcloud CLI with a spec-only client', () => {
  it('start → upload → PUT → complete → CDN GET returns the same bytes', async () => {
    dir = await makeTempDir('ferry-fs-cli-');
    child = spawnLocalCloud(['--port', '0', '--data', dir, '--apikey', 'SpecClientKey000000001']);
    const { url: base, lines } = await waitForUrl(child);
    expect(lines.filter((l) => l.startsWith('Ferry local cloud listening on'))).toHaveLength(1);

    const apikey = 'SpecClientKey000000001';
    const bytes = randomBytes(5 * 1024 * 1024 + 12345);
    const partSize = 5 * 1024 * 1024;
    const start = await postJson(`${base}/multipart/start`, { apikey, filename: 'spec.bin', mimetype: 'application/octet-stream', size: bytes.length, store: { location: 's3' } });
    expect(start.status).toBe(200);
    const { uri, region, upload_id, location_url } = start.json as Record<string, string>;
    expect(uri && region && upload_id && location_url).toBeTruthy();
    // JS rule: a location_url beginning with http is used verbatim, otherwise https:// is added.
    const loc = String(location_url).startsWith('http') ? String(location_url) : `https://${location_url}`;

    const parts: Array<{ part_number: number; etag: string }> = [];
    for (let n = 1; (n - 1) * partSize < bytes.length; n++) {
      const chunk = bytes.subarray((n - 1) * partSize, n * partSize);
      const up = await postJson(`${loc}/multipart/upload`, { apikey, uri, region, upload_id, part: n, size: chunk.length, md5: b64md5(chunk), store: { location: 's3' } });
      expect(up.status).toBe(200);
      const { url, headers } = up.json as { url: string; headers: Record<string, string> };
      expect(headers['Content-MD5']).toBe(b64md5(chunk));
      const put = await fetch(url, { method: 'PUT', headers, body: chunk });
      expect(put.status).toBe(200);
      const etag = put.headers.get('etag');
      expect(etag).toBeTruthy();
      parts.push({ part_number: n, etag: String(etag) });
    }
    expect(parts).toHaveLength(2);

    let done: { status: number; json: Record<string, unknown> } | null = null;
    for (let i = 0; i < 10; i++) {
      done = await postJson(`${loc}/multipart/complete`, { apikey, uri, region, upload_id, filename: 'spec.bin', mimetype: 'application/octet-stream', size: bytes.length, store: { location: 's3' }, parts });
      if (done.status !== 202) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(done?.status).toBe(200);
    expect(done?.json).toMatchObject({ filename: 'spec.bin', size: bytes.length, mimetype: 'application/octet-stream', status: 'Stored' });
    const cdn = await fetch(String(done?.json.url));
    expect(cdn.status).toBe(200);
    const got = Buffer.from(await cdn.arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));

    // SIGTERM → the server closes: the port stops accepting connections.
    const exited = new Promise<void>((r) => child?.once('exit', () => r()));
    killGroup(child, 'SIGTERM');
    await exited;
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetch(base).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe(true);
  });
});
