import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, type Fault, type FaultRule } from '../support/fault-proxy.js';
import { sha256File, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { isCall, PART, partOf, providerFor, sourceOf, startRig, storedSha256, uploadContext } from './rig.js';

/**
 * Reliability matrix row 1: the connection drops mid-part (at seeded byte offsets), and also
 * during start and complete. Every seed must end with the exact bytes stored, each part PUT at
 * most 1 + (faults injected on it) times, and no part sent again once the client saw its 200.
 */

const SIZE = 2 * PART + 700_000; // three parts: 5 MiB, 5 MiB, ~0.7 MB
const SEEDS = 20;
const PARALLEL_SEEDS = 4;

let dir: string;
let file: string;
let sha: string;

beforeAll(async () => {
  dir = await makeTempDir('ferry-rel-drops-');
  file = path.join(dir, 'source.bin');
  await writeRandomFile(file, SIZE);
  sha = await sha256File(file);
});
afterAll(async () => {
  await removeTempDir(dir);
});

type Plan = { rule: FaultRule; injected: Map<string, number> };

/** Builds the seed's fault plan: which requests reset and after how many body bytes. */
function planFor(seed: number): Plan {
  const rng = mulberry32(seed);
  const lengths = [PART, PART, SIZE - 2 * PART];
  const resets = new Map<string, number>(); // request key → bytes before the reset
  const faultParts = 1 + Math.floor(rng() * 2);
  for (let i = 0; i < faultParts; i++) {
    const part = 1 + Math.floor(rng() * 3);
    resets.set(`part:${part}`, Math.floor(rng() * (lengths[part - 1] ?? PART)));
  }
  // JSON bodies are a few hundred bytes: offsets past the end mean "the server did it, the client never heard".
  if (rng() < 0.6) resets.set('start', Math.floor(rng() * 400));
  if (rng() < 0.6) resets.set('complete', Math.floor(rng() * 800));
  const injected = new Map<string, number>();
  const rule: FaultRule = (req) => {
    const part = req.method === 'PUT' ? /^\/s3\/[^/]+\/(\d+)/.exec(req.url)?.[1] : undefined;
    const key = part !== undefined ? `part:${part}` : req.url.startsWith('/multipart/start') ? 'start' : req.url.startsWith('/multipart/complete') ? 'complete' : null;
    if (key === null || !resets.has(key) || injected.has(key)) return null;
    injected.set(key, 1);
    const fault: Fault = { kind: 'reset-after', bytes: resets.get(key) ?? 0 };
    return fault;
  };
  return { rule, injected };
}

const faultKinds = new Set<string>();

async function runSeed(seed: number): Promise<void> {
  const plan = planFor(seed);
  const rig = await startRig(path.join(dir, `cloud-${seed}`), plan.rule);
  try {
    const result = await providerFor(rig, { partConcurrency: 3 }).upload(sourceOf(file, SIZE), uploadContext());
    expect(await storedSha256(rig, result.remoteId), `seed ${seed}: stored bytes`).toBe(sha);

    const log = rig.proxy.log;
    for (const part of [1, 2, 3]) {
      const puts = log.filter((e) => partOf(e) === part);
      const faults = plan.injected.get(`part:${part}`) ?? 0;
      expect(puts.length, `seed ${seed}: PUTs of part ${part}`).toBeLessThanOrEqual(1 + faults);
      // Once the client heard a 200 for a part, that part is never sent again.
      const firstOk = puts.findIndex((e) => e.status === 200);
      expect(firstOk, `seed ${seed}: part ${part} confirmed`).toBeGreaterThanOrEqual(0);
      expect(puts.slice(firstOk + 1), `seed ${seed}: part ${part} re-sent after its 200`).toEqual([]);
    }
    // Every planned fault really happened (otherwise the seed proves nothing).
    expect(plan.injected.size, `seed ${seed}: faults injected`).toBeGreaterThan(0);
    for (const key of plan.injected.keys()) faultKinds.add(key.startsWith('part:') ? 'part' : key);
    expect(log.filter((e) => isCall(e, 'complete')).length).toBeGreaterThanOrEqual(1);
  } finally {
    await rig.close();
  }
}

describe('row 1: connection drops mid-part, during start and during complete', () => {
  it(`all ${SEEDS} seeds end intact with PUTs per part ≤ 1 + injected faults`, async () => {
    const seeds = Array.from({ length: SEEDS }, (_, i) => 1000 + i);
    for (let i = 0; i < seeds.length; i += PARALLEL_SEEDS) {
      await Promise.all(seeds.slice(i, i + PARALLEL_SEEDS).map((s) => runSeed(s)));
    }
    // The seeds together cover drops in all three phases.
    expect([...faultKinds].sort()).toEqual(['complete', 'part', 'start']);
  }, 60_000);
});
