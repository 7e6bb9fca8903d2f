import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import { mulberry32 } from '../support/fault-proxy.js';

/**
 * Reliability matrix row 7/8: SIGKILL a process that is writing the journal, reopen, and check
 * nothing is corrupt, every row is valid, acknowledged writes survived and done jobs have
 * exactly their history.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STORE = pathToFileURL(path.join(ROOT, 'src-main/engine/journal/sqlite-store.ts')).href;

// The writer acknowledges step i on stdout only after every write of step i has returned.
const WRITER = `
import { openJournal } from ${JSON.stringify(STORE)};
const [dir, startArg] = process.argv.slice(2);
const j = openJournal({ dir });
if (j.status.mode !== 'sqlite' || j.status.recovered) { process.stdout.write('bad-status\\n'); process.exit(2); }
const T0 = 1736942400000;
const job = (i, status) => ({ id: 'job-' + (i % 40), name: 'f' + i, relativePath: null, sourcePath: '/d/f' + i,
  size: 1000, destination: 'local', status, bytesSent: i % 1000, attempts: 1, createdAt: T0, updatedAt: T0 + i });
let i = Number(startArg);
function step() {
  for (let k = 0; k < 5; k++, i++) {
    j.put(job(i, { kind: 'uploading' }));
    if (i % 7 === 0) {
      const result = { url: 'http://x/' + i, remoteId: 'r' + i, size: 1000, mimetype: 'a/b', filename: 'f' + i };
      j.commitDone(job(i, { kind: 'done', result, verifiedAt: T0 + i }), { jobId: 'job-' + (i % 40), destination: 'local',
        sourcePath: '/d/f' + i, size: 1000, sha256: (i % 16).toString(16).repeat(64), url: result.url, remoteId: result.remoteId, finishedAt: T0 + i });
    } else {
      j.checkpoint('job-' + (i % 40)).save({ seq: i, parts: [1, 2, 3] });
    }
    if (i % 11 === 0) j.remove('job-' + ((i + 3) % 40));
    process.stdout.write('ack ' + i + '\\n');
  }
  setImmediate(step);
}
step();
`;

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-journal-kill-'));
  script = path.join(dir, 'writer.mts');
  await fs.promises.writeFile(script, WRITER);
});
afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it has acknowledged `acks` steps, SIGKILLs it, returns the last ack. */
function runAndKill(dataDir: string, start: number, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, String(start)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let last = -1;
    let seen = 0;
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (!m) return reject(new Error(`writer said: ${line} ${err}`));
        last = Number(m[1]);
        if (++seen === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && last >= 0) resolve(last);
      else reject(new Error(`writer exited ${code} ${signal}: ${err}`));
    });
  });
}

describe('journal survives SIGKILL of the writing process', () => {
  it('reopens clean after kills at random moments', async () => {
    const dataDir = path.join(dir, 'data');
    const random = mulberry32(2025);
    let start = 0;
    for (let round = 0; round < 3; round++) {
      const acks = 20 + Math.floor(random() * 200);
      const lastAck = await runAndKill(dataDir, start, acks);
      expect(lastAck).toBeGreaterThanOrEqual(start + acks - 1);

      // Raw check first: the file itself is sound and the schema intact.
      const raw = new Database(path.join(dataDir, 'journal.db'), { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const rowCount = (raw.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
      const historyIds = (raw.prepare('SELECT job_id FROM history').all() as { job_id: string }[]).map((r) => r.job_id);
      raw.close();

      const warnings: string[] = [];
      const logger = { info: () => {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
      const j = openJournal({ dir: dataDir, logger });
      try {
        expect(j.status).toMatchObject({ mode: 'sqlite', recovered: null });
        const jobs = j.loadAll();
        expect(warnings).toEqual([]);
        expect(jobs).toHaveLength(rowCount);
        expect(new Set(historyIds).size).toBe(historyIds.length);

        // The last acknowledged write is there (or a later one of the same job).
        const last = jobs.find((x) => x.id === `job-${lastAck % 40}`);
        expect(last).toBeDefined();
        expect(last!.updatedAt - Date.UTC(2025, 0, 15, 12)).toBeGreaterThanOrEqual(lastAck);

        // commitDone is atomic: every done job has its history and no checkpoint left.
        for (const job of jobs.filter((x) => x.status.kind === 'done')) {
          expect(historyIds).toContain(job.id);
          expect(j.checkpoint(job.id).load()).toBeUndefined();
        }
        start = lastAck + 2; // skip past a step that may have been half-written
      } finally {
        j.close();
      }
    }
  });
});
