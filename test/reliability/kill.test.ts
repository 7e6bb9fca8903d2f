import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKeyOf } from '../../src-main/engine/content-key.js';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import type { PartPutInfo } from '../../src-main/localcloud/context.js';
import { handleComplete } from '../../src-main/localcloud/filestack/multipart.js';
import { startLocalCloud, type CloudContext, type LocalCloud } from '../../src-main/localcloud/server.js';
import { partSizeFor } from '../../src-main/providers/filestack/provider.js';
import { bundleCli, runCliChild, type ChildResult } from '../hosts/cli-bundle.js';
import { mulberry32 } from '../support/fault-proxy.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Reliability matrix row 7: the engine runs in a child process (the bundled CLI) uploading to a
 * local cloud this test owns, so the cloud outlives every SIGKILL. Kill points are seeded:
 * mid-part (the server has the body, the client has no answer), right after a part's 2xx (before
 * the client can journal it), and right after complete answered (before the job is journaled
 * done). After each kill the CLI is restarted with `resume`; at the end every object must be
 * byte-exact, stored exactly once, and each restart may re-send at most part size × part
 * concurrency bytes. KILL_POINTS=50 (npm run soak:kill) runs the full matrix figure.
 */

const KILL_POINTS = Number(process.env.KILL_POINTS ?? 6);
const SEED = Number(process.env.KILL_SEED ?? 7);
const PART_CONCURRENCY = 3;
const FILE_SIZE = 3 * 8 * 1024 * 1024 + 123_457; // 4 parts of the default 8 MiB
const PART_SIZE = partSizeFor(FILE_SIZE);
const FILES_PER_ROUND = 2;

type KillKind = 'mid-part' | 'after-part-2xx' | 'after-complete';
type Plan = { kind: KillKind; nth: number };

let tmp: string;
let cloud: LocalCloud;
let bundle: { file: string; remove: () => Promise<void> };
/** What the running child is to be killed at; null = let it run. */
let plan: Plan | null = null;
let counter = 0;
let killChild: (() => void) | null = null;
let killedAt: KillKind | null = null;
/** Part PUTs the server answered 2xx, tagged with the run they happened in. */
const partLog: (PartPutInfo & { run: number })[] = [];
let run = 0;
/** Parts whose body the server has but whose answer is not decided yet, by upload id + part. */
const unanswered = new Map<string, number>();

function fire(kind: KillKind): void {
  if (!plan || plan.kind !== kind || !killChild) return;
  if (++counter !== plan.nth) return;
  killedAt = kind;
  killChild();
  killChild = null;
}

beforeAll(async () => {
  tmp = await makeTempDir('ferry-kill-');
  const completeRoute = {
    method: 'POST',
    path: /^\/multipart\/complete\/?$/,
    handler: async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, ctx: CloudContext) => {
      await handleComplete(req, res, m, ctx);
      // Answered 200 (the object is stored), the client has not journaled it yet.
      if (res.statusCode === 200) fire('after-complete');
    },
  } as const;
  [cloud, bundle] = await Promise.all([
    startLocalCloud({
      dataDir: path.join(tmp, 'cloud'),
      extraRoutes: [completeRoute],
      hooks: {
        beforePartAnswer: async (info) => {
          const key = `${info.uploadId}:${info.part}`;
          unanswered.set(key, (unanswered.get(key) ?? 0) + 1);
          fire('mid-part');
        },
        onPartPut: (info) => {
          const key = `${info.uploadId}:${info.part}`;
          const n = unanswered.get(key) ?? 0;
          if (n > 1) unanswered.set(key, n - 1);
          else unanswered.delete(key);
          if (info.status >= 200 && info.status < 300) partLog.push({ ...info, run });
          // After the status is decided; the 2xx reaches the client while it is being killed.
          if (info.status === 200) setImmediate(() => fire('after-part-2xx'));
        },
      },
    }),
    bundleCli(),
  ]);
});
afterAll(async () => {
  await cloud?.close();
  await bundle?.remove();
  await removeTempDir(tmp);
});

async function runOnce(args: string[], next: Plan | null): Promise<ChildResult> {
  plan = next;
  counter = 0;
  killedAt = null;
  run++;
  const result = await runCliChild(bundle.file, [...args, '--json', '--local-cloud', cloud.baseUrl], {
    onSpawn: (kill) => (killChild = kill),
  });
  // Parts of a killed child may still be finishing on the server; let them land in this run's
  // log so the next run's re-sends are attributed to the right kill.
  for (let i = 0; i < 500 && unanswered.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return result;
}

/** Handles of stored objects whose bytes hash to `md5` (from the cloud's metadata files). */
async function storedCopies(md5: string): Promise<string[]> {
  const dir = path.join(cloud.dataDir, 'files');
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    const meta = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { md5?: string; handle: string };
    // A multipart upload's record has no MD5 until asked: hash its blob then.
    const stored = meta.md5 ?? hashBytes(await readFile(path.join(dir, meta.handle)), 'md5');
    if (stored === md5) out.push(meta.handle);
  }
  return out;
}

describe(`engine process SIGKILLed at ${KILL_POINTS} seeded points (row 7)`, () => {
  it('always ends with correct objects, no duplicates, bounded re-sends', async () => {
    const random = mulberry32(SEED);
    const kinds: KillKind[] = ['mid-part', 'after-part-2xx', 'after-complete'];
    const resentPerKill: number[] = [];
    const seenKinds = new Set<KillKind>();
    let kills = 0;
    const runKinds: string[] = [];
    for (let round = 0; kills < KILL_POINTS; round++) {
      const data = path.join(tmp, `data-${round}`);
      const files = await Promise.all(
        Array.from({ length: FILES_PER_ROUND }, async (_, i) => {
          const file = path.join(tmp, `r${round}-f${i}.bin`);
          const bytes = await writeRandomFile(file, FILE_SIZE);
          return { file, sha: hashBytes(bytes), md5: hashBytes(bytes, 'md5'), key: contentKeyOf(bytes) };
        }),
      );
      // One file at once, so "in flight at the kill" is at most PART_CONCURRENCY parts.
      await mkdir(data, { recursive: true });
      await writeFile(path.join(data, 'settings.json'), JSON.stringify({ fileConcurrency: 1, partConcurrency: PART_CONCURRENCY, bandwidthLimit: 0 }));

      let args = ['upload', ...files.map((f) => f.file), '--data', data];
      for (;;) {
        const kind = kinds[Math.floor(random() * kinds.length)] ?? 'mid-part';
        // Up to 4 parts per file; a plan that never triggers lets the run finish.
        const nth = 1 + Math.floor(random() * (kind === 'after-complete' ? FILES_PER_ROUND : 4));
        const result = await runOnce(args, kills < KILL_POINTS ? { kind, nth } : null);
        runKinds.push(`${run}:${result.signal === 'SIGKILL' ? (killedAt ?? kind) : 'ran'}${nth}`);
        if (result.signal === 'SIGKILL') {
          kills++;
          seenKinds.add(killedAt ?? kind);
          args = ['resume', '--data', data];
          continue;
        }
        // A kill fired after the last complete can land once the client had journaled it done
        // (a loaded machine delays the signal): then there is truly nothing left to resume.
        expect(result.stderr).toMatch(args[0] === 'resume' ? /^(Nothing to resume\.\n)?$/ : /^$/);
        expect(result.code).toBe(0);
        break;
      }

      // Every file done exactly once, bytes exact, one stored copy each.
      const journal = openJournal({ dir: data });
      try {
        const jobs = journal.loadAll();
        expect(jobs).toHaveLength(FILES_PER_ROUND);
        for (const f of files) {
          const job = jobs.find((j) => j.sourcePath === f.file);
          expect(job?.status.kind).toBe('done');
          if (job?.status.kind !== 'done') continue;
          const res = await fetch(job.status.result.url);
          expect(hashBytes(Buffer.from(await res.arrayBuffer()))).toBe(f.sha);
          expect(await storedCopies(f.md5)).toEqual([job.status.result.remoteId]);
          expect(journal.history.findUploaded(f.key, 'local')?.url).toBe(job.status.result.url);
          expect(journal.checkpoint(job.id).load()).toBeUndefined();
        }
      } finally {
        journal.close();
      }
    }

    // Re-sent bytes: a part (upload id + number) the server had already accepted in an earlier run.
    const accepted = new Map<string, number>();
    const resentByRun = new Map<number, number>();
    for (const p of partLog) {
      const key = `${p.uploadId}:${p.part}`;
      const firstRun = accepted.get(key);
      if (firstRun === undefined) accepted.set(key, p.run);
      else if (firstRun < p.run) resentByRun.set(p.run, (resentByRun.get(p.run) ?? 0) + p.bytes);
    }
    resentPerKill.push(...resentByRun.values());
    if (process.env.KILL_DEBUG) {
      console.log(JSON.stringify(runKinds));
      console.log(partLog.map((p) => `${p.run}:${p.uploadId.slice(0, 6)}:${p.part}`).join(' '));
    }
    const bound = PART_SIZE * PART_CONCURRENCY;
    for (const bytes of resentPerKill) expect(bytes).toBeLessThanOrEqual(bound);
    expect(kills).toBe(KILL_POINTS);
    if (KILL_POINTS >= 6) expect(seenKinds.size).toBe(kinds.length);
    const total = resentPerKill.reduce((a, b) => a + b, 0);
    console.log(
      `kill soak: ${kills} kills (${[...seenKinds].join(', ')}), re-sent ${total} bytes in total, worst ${Math.max(0, ...resentPerKill)} per restart (bound ${bound})`,
    );
  }, Math.max(60_000, KILL_POINTS * 8_000));
});
