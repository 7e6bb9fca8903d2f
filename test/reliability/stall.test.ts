import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src-main/net/throttle.js';
import type { FaultRule } from '../support/fault-proxy.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { eventLog, isCall, PART, partOf, providerFor, sourceOf, startRig, storedSha256, uploadContext, type Rig } from './rig.js';

/**
 * Reliability matrix row 4: a server that accepts and never answers is detected by "no progress
 * for T" (typed `stalled`, retried), no earlier than T after the request reached it, and the
 * request is sent again only after the detection; a slow (8 KiB/s) but moving exchange is not a stall; and waiting on our own bandwidth
 * limiter never counts as one.
 */

const STALL_MS = 1500;
let dir: string;
let rig: Rig | null = null;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-stall-');
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

async function makeSource(size: number): Promise<{ file: string; size: number; sha: string }> {
  const file = path.join(dir, 'source.bin');
  await writeRandomFile(file, size);
  return { file, size, sha: await sha256File(file) };
}

function stallFirst(match: (method: string, url: string) => boolean): FaultRule {
  let fired = false;
  return (req) => {
    if (fired || !match(req.method, req.url)) return null;
    fired = true;
    return { kind: 'stall' };
  };
}

const cases: { name: string; match: (m: string, url: string) => boolean }[] = [
  { name: 'a part PUT', match: (m, url) => m === 'PUT' && /^\/s3\/[^/]+\/2\?/.test(url) },
  { name: '/multipart/start', match: (m, url) => m === 'POST' && url.startsWith('/multipart/start') },
  { name: '/multipart/complete', match: (m, url) => m === 'POST' && url.startsWith('/multipart/complete') },
];

describe('row 4: stalled and slow servers', () => {
  for (const c of cases) {
    it(`a stalled ${c.name} is detected after T as 'stalled' and the upload recovers`, async () => {
      const src = await makeSource(2 * PART + 100_000);
      rig = await startRig(path.join(dir, 'cloud'), stallFirst(c.match));
      const { events, onEvent } = eventLog();
      const result = await providerFor(rig, { stallTimeoutMs: STALL_MS, onEvent }).upload(sourceOf(src.file, src.size), uploadContext());
      expect(await storedSha256(rig, result.remoteId)).toBe(src.sha);

      const stalled = rig.proxy.log.find((e) => e.fault === 'stall');
      expect(stalled).toBeDefined();
      const detections = events.filter((e) => e.type === 'retry' && e.code === 'stalled');
      expect(detections).toHaveLength(1);
      const waited = detections[0]!.at - stalled!.time;
      expect(waited).toBeGreaterThanOrEqual(STALL_MS - 100); // not before T (the client's clock started a hair before the proxy's)
      // How soon after T it fires is pinned on a virtual clock (units.test.ts, stall watchdog); a
      // wall-clock bound here would only measure the machine's load. Here: cause and effect. The
      // request was sent again because of the detection (not before it) and answered.
      const again = rig.proxy.log.filter((e) => e.n > stalled!.n && e.method === stalled!.method && e.url.split('?')[0] === stalled!.url.split('?')[0]);
      expect(again.some((e) => e.status === 200)).toBe(true);
      expect(again[0]!.time).toBeGreaterThanOrEqual(detections[0]!.at);
    }, 20_000);
  }

  it('an exchange throttled to 8 KiB/s is slow but not stalled', async () => {
    // The last part is 24 KiB: ~3 s at 8 KiB/s, under a 6 s stall window.
    const src = await makeSource(PART + 24 * 1024);
    const rule: FaultRule = (req) => (req.method === 'PUT' && /^\/s3\/[^/]+\/2\?/.test(req.url) ? { kind: 'throttle', bytesPerSecond: 8 * 1024 } : null);
    rig = await startRig(path.join(dir, 'cloud'), rule);
    const { events, onEvent } = eventLog();
    const result = await providerFor(rig, { stallTimeoutMs: 6000, onEvent }).upload(sourceOf(src.file, src.size), uploadContext());
    expect(await storedSha256(rig, result.remoteId)).toBe(src.sha);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(rig.proxy.log.filter((e) => partOf(e) === 2).map((e) => [e.fault, e.status])).toEqual([['throttle', 200]]);
  }, 20_000);

  it('waiting on our own bandwidth limit is not a stall, and setRate applies while running', async () => {
    const src = await makeSource(PART + 1024 * 1024);
    rig = await startRig(path.join(dir, 'cloud'));
    // 48 KiB/s: each 64 KiB slice waits ~1.3 s for tokens, longer than the 1 s stall window.
    const limiter = createRateLimiter(48 * 1024);
    const { events, onEvent } = eventLog();
    const upload = providerFor(rig, { stallTimeoutMs: 1000, limiter, onEvent, partConcurrency: 2 }).upload(sourceOf(src.file, src.size), uploadContext());
    await new Promise((r) => setTimeout(r, 2500));
    const receivedWhileLimited = rig.proxy.log.reduce((sum, e) => sum + e.requestBytes, 0);
    limiter.setRate(undefined); // lift the limit mid-upload
    const result = await upload;
    expect(await storedSha256(rig, result.remoteId)).toBe(src.sha);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    // Unlimited, all 6 MiB would have arrived in well under a second; limited, at most a few slices did.
    expect(receivedWhileLimited).toBeLessThan(1024 * 1024);
    expect(rig.proxy.log.filter((e) => isCall(e, 'complete')).map((e) => e.status)).toEqual([200]);
  }, 20_000);
});
