import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../support/fault-proxy.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { eventLog, isCall, PART, partOf, providerFor, sourceOf, startRig, storedSha256, uploadContext, type Rig } from './rig.js';

/**
 * Reliability matrix row 3: 429 with `Retry-After: 3` in both forms. The retry of the refused
 * request must reach the server no earlier than 3.0 s after the refusal, by the proxy's own
 * clock (a protocol assertion), and part concurrency must drop and then recover.
 */

const RETRY_AFTER_S = 3;
let dir: string;
let rig: Rig | null = null;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-429-');
});
afterEach(async () => {
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

/** HTTP-date at least `seconds` from now (HTTP dates have whole seconds, so round up). */
function httpDateIn(seconds: number): string {
  return new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toUTCString();
}

function once429(match: (method: string, url: string) => boolean, form: 'seconds' | 'http-date'): FaultRule {
  let fired = false;
  return (req) => {
    if (fired || !match(req.method, req.url)) return null;
    fired = true;
    const value = form === 'seconds' ? String(RETRY_AFTER_S) : httpDateIn(RETRY_AFTER_S);
    return { kind: 'status', status: 429, headers: { 'retry-after': value, 'content-type': 'application/json' }, body: '{"error":"slow down"}' };
  };
}

async function makeSource(parts: number): Promise<{ file: string; size: number; sha: string }> {
  const size = parts * PART - 300_000;
  const file = path.join(dir, 'source.bin');
  await writeRandomFile(file, size);
  return { file, size, sha: await sha256File(file) };
}

describe('row 3: 429 with Retry-After', () => {
  for (const form of ['seconds', 'http-date'] as const) {
    it(`a part PUT refused with Retry-After (${form}) is retried ≥ 3.0 s later; concurrency drops and recovers`, async () => {
      const src = await makeSource(8);
      rig = await startRig(path.join(dir, 'cloud'), once429((m, url) => m === 'PUT' && /^\/s3\/[^/]+\/2\?/.test(url), form));
      const { events, onEvent } = eventLog();
      const result = await providerFor(rig, { partConcurrency: 3, onEvent }).upload(sourceOf(src.file, src.size), uploadContext());
      expect(await storedSha256(rig, result.remoteId)).toBe(src.sha);

      const puts2 = rig.proxy.log.filter((e) => partOf(e) === 2);
      expect(puts2.map((e) => e.status)).toEqual([429, 200]);
      const [refused, retried] = puts2;
      expect(retried!.time - refused!.time).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
      // The hold: nothing new went out before Retry-After had passed. Only parts already signed
      // before the 429 may still send their PUT (they were under way). Requests only get later
      // on a loaded machine, so this cannot fail for slowness (no "within X ms" allowance).
      const signedBefore = rig.proxy.log.filter((e) => e.n < refused!.n && isCall(e, 'upload')).length;
      const early = rig.proxy.log.filter(
        (e) => e.n > refused!.n && e.time < refused!.time + RETRY_AFTER_S * 1000 && !(e.method === 'PUT' && (partOf(e) ?? 0) <= signedBefore),
      );
      expect(early.map((e) => `${e.method} ${e.url.split('?')[0]}`)).toEqual([]);

      const limits = events.flatMap((e) => (e.type === 'concurrency' ? [e.limit] : []));
      expect(limits[0]).toBe(1); // halved from 3, floored
      expect(limits.at(-1)).toBe(3); // grew back one step at a time after successes
      expect(limits).toEqual([1, 2, 3]);
    }, 20_000);
  }

  it('a refused /multipart/start with an HTTP-date Retry-After is retried no earlier than the date', async () => {
    const src = await makeSource(1);
    rig = await startRig(path.join(dir, 'cloud'), once429((m, url) => m === 'POST' && url.startsWith('/multipart/start'), 'http-date'));
    const result = await providerFor(rig).upload(sourceOf(src.file, src.size), uploadContext());
    expect(await storedSha256(rig, result.remoteId)).toBe(src.sha);
    const starts = rig.proxy.log.filter((e) => isCall(e, 'start'));
    expect(starts.map((e) => e.status)).toEqual([429, 200]);
    expect(starts[1]!.time - starts[0]!.time).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
    // The retry was the very next request: nothing else went out while waiting.
    expect(starts[1]!.n).toBe(starts[0]!.n + 1);
  }, 20_000);
});
