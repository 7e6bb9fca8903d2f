import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../src-shared/model/job.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { nodeFs, type EngineFs } from '../../src-main/engine/file-system.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { Logger } from '../../src-main/engine/ports.js';
import type { Engine } from '../../src-main/engine/types.js';
import type { FaultRule } from '../support/fault-proxy.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { PART, providerFor, startRig, storedSha256, type Rig } from './rig.js';

/**
 * Matrix rows through the whole engine (createEngine + the real local cloud behind the proxy):
 * row 2 (a 5xx storm is ridden out within a fixed request budget, the queue showing "service
 * unavailable" while it retries), row 14 (zero-byte files) and row 15 (unreadable files).
 */

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let dir: string;
let rig: Rig | null = null;
let engine: Engine | null = null;

beforeEach(async () => {
  dir = await makeTempDir('ferry-rel-engine-');
});
afterEach(async () => {
  await engine?.close();
  engine = null;
  await rig?.close();
  rig = null;
  await removeTempDir(dir);
});

function startEngine(r: Rig, opts: { fs?: EngineFs; requestBudget?: number } = {}): { engine: Engine; updates: JobView[] } {
  const updates: JobView[] = [];
  const provider = providerFor(r, {
    partConcurrency: 3,
    retry: { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 800, jitter: 0.5 },
    ...(opts.requestBudget !== undefined ? { requestBudget: opts.requestBudget } : {}),
  });
  const e = createEngine({
    providers: { local: provider },
    store: createMemoryJobStore(),
    clock: { now: () => Date.now() },
    logger: quiet,
    defaultDestination: 'local',
    retry: { maxRetries: 10, baseDelayMs: 300, maxDelayMs: 1000, jitter: 0.5 },
    progressIntervalMs: 10,
    ...(opts.fs ? { fs: opts.fs } : {}),
  });
  e.on('jobs:updated', ({ jobs }) => updates.push(...jobs));
  engine = e;
  return { engine: e, updates };
}

/** Distinct consecutive status kinds a job went through, as pushed to the UI. */
function statusTrail(updates: JobView[], id: string): string[] {
  const trail: string[] = [];
  for (const v of updates) if (v.id === id && trail.at(-1) !== v.status.kind) trail.push(v.status.kind);
  return trail;
}

const STORM_MS = 3000;
/**
 * The fixed budget for requests during the storm: per provider attempt at most requestBudget (6)
 * failures + the parts already in flight (3) + the one that exceeds the budget, and the engine's
 * backoff (≥ 150 ms, growing) on top of the provider's shared backoff (≥ 50+100+200+400+400 ms
 * per attempt) leaves room for at most 3 attempts in 3 s.
 */
const STORM_REQUEST_BUDGET = 3 * (6 + 3 + 1);

describe('through the engine', () => {
  it('row 2: a 5xx storm is ridden out within a fixed request budget and the queue says why it waits', async () => {
    let stormStart = 0;
    const rule: FaultRule = (req) => {
      // The storm begins when part 2 is first sent, so part 1 is confirmed before it.
      if (stormStart === 0 && req.method === 'PUT' && /^\/s3\/[^/]+\/2\?/.test(req.url)) stormStart = Date.now();
      if (stormStart === 0 || Date.now() >= stormStart + STORM_MS) return null;
      return { kind: 'status', status: req.n % 2 === 0 ? 503 : 500, headers: { 'content-type': 'application/json' }, body: '{"error":"unavailable"}' };
    };
    rig = await startRig(path.join(dir, 'cloud'), rule);
    const file = path.join(dir, 'storm.bin');
    await writeRandomFile(file, 4 * PART + 1000);
    const { engine: e, updates } = startEngine(rig, { requestBudget: 6 });
    const { jobIds } = await e.addPaths([file]);
    const id = jobIds[0]!;
    await e.whenIdle();

    const job = e.get(id)!;
    expect(job.status.kind).toBe('done');
    if (job.status.kind !== 'done') return;
    expect(await storedSha256(rig, job.status.result.remoteId)).toBe(await sha256File(file));

    const during = rig.proxy.log.filter((x) => x.time >= stormStart && x.time < stormStart + STORM_MS);
    if (process.env.FERRY_TEST_VERBOSE) console.log(`storm: ${during.length} requests in ${STORM_MS} ms (budget ${STORM_REQUEST_BUDGET})`);
    expect(during.length).toBeGreaterThan(0);
    expect(during.length).toBeLessThanOrEqual(STORM_REQUEST_BUDGET);
    // The queue showed the retrying state with a reason a person understands.
    const retrying = updates.filter((v) => v.id === id && v.status.kind === 'retrying');
    expect(retrying.length).toBeGreaterThan(0);
    const first = retrying[0]!.status;
    if (first.kind === 'retrying') {
      expect(first.error.code).toBe('server_error');
      expect(first.error.message).toMatch(/^Service unavailable \(HTTP 50[03]\), retrying/);
    }
  }, 20_000);

  it('row 14: a zero-byte file gets a visible, terminal "skipped: empty" outcome without any request', async () => {
    rig = await startRig(path.join(dir, 'cloud'));
    const empty = path.join(dir, 'empty.txt');
    await writeFile(empty, '');
    const ok = path.join(dir, 'ok.bin');
    await writeRandomFile(ok, 100_000);
    const { engine: e, updates } = startEngine(rig);
    const { jobIds } = await e.addPaths([empty, ok]);
    await e.whenIdle();
    const [emptyJob, okJob] = jobIds.map((i) => e.get(i)!);
    expect(emptyJob!.status).toMatchObject({ kind: 'failed', error: { code: 'empty_file', retryable: false } });
    expect(statusTrail(updates, emptyJob!.id).at(-1)).toBe('failed');
    expect(okJob!.status.kind).toBe('done');
    // Only the non-empty file talked to the server: one start.
    expect(rig.proxy.log.filter((x) => x.url.startsWith('/multipart/start'))).toHaveLength(1);
  });

  it('row 15: an unreadable file (EACCES) fails as permission once, no retry loop, others continue', async () => {
    rig = await startRig(path.join(dir, 'cloud'));
    const locked = path.join(dir, 'locked.bin');
    const ok = path.join(dir, 'ok.bin');
    await writeRandomFile(locked, 50_000);
    await writeRandomFile(ok, 50_000);
    // Tests run as root, so chmod 000 would not stop a read: inject EACCES through the engine's fs seam.
    const fs: EngineFs = {
      ...nodeFs,
      open: async (p) => {
        if (p === locked) throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
        return nodeFs.open(p);
      },
    };
    const { engine: e, updates } = startEngine(rig, { fs });
    const { jobIds } = await e.addPaths([locked, ok]);
    await e.whenIdle();
    const [lockedJob, okJob] = jobIds.map((i) => e.get(i)!);
    expect(lockedJob!.status).toMatchObject({ kind: 'failed', error: { code: 'permission', retryable: false } });
    expect(lockedJob!.attempts).toBe(1);
    expect(statusTrail(updates, lockedJob!.id).filter((k) => k === 'failed' || k === 'retrying')).toEqual(['failed']);
    expect(okJob!.status.kind).toBe('done');
    expect(rig.proxy.log.filter((x) => x.url.startsWith('/multipart/start'))).toHaveLength(1);
  });
});
