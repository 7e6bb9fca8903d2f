import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import type { Job, JobStatus } from '../../src-shared/model/job.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src-main/engine/journal/migrations.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { openJournal, type Journal, type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';
import { mulberry32 } from '../support/fault-proxy.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function makeJob(id: string, over: Partial<Job> = {}): Job {
  return {
    id, name: `${id}.jpg`, relativePath: null, sourcePath: `/data/${id}.jpg`, size: 1000, destination: 'local',
    status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: T0, updatedAt: T0, ...over,
  };
}

const doneStatus: JobStatus = {
  kind: 'done',
  result: { url: 'http://127.0.0.1/f/abc', remoteId: 'abc', size: 1000, mimetype: 'image/jpeg', filename: 'a.jpg', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
  verifiedAt: T0 + 5,
};

function entry(jobId: string, sha: string, over: Partial<UploadHistoryEntry> = {}): UploadHistoryEntry {
  return { jobId, destination: 'local', sourcePath: `/data/${jobId}`, size: 1000, sha256: sha, url: `http://x/${jobId}`, remoteId: jobId, finishedAt: T0, ...over };
}

function captureLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

let dir: string;
let open: Journal[] = [];
const reopen = (logger?: ReturnType<typeof captureLogger>['logger']): Journal => {
  const j = openJournal({ dir, ...(logger ? { logger } : {}) });
  open.push(j);
  return j;
};

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-journal-'));
  open = [];
});
afterEach(async () => {
  for (const j of open) j.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

describe('sqlite journal', () => {
  it('creates a durable WAL journal with our application id and schema version', () => {
    const j = reopen();
    expect(j.status).toEqual({ mode: 'sqlite', path: path.join(dir, 'journal.db'), recovered: null });
    j.close();
    const raw = new Database(path.join(dir, 'journal.db'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    raw.close();
  });

  it('round-trips jobs across close and reopen, in insertion order, latest write wins', () => {
    const j = reopen();
    const failed = makeJob('c', { status: { kind: 'failed', error: { code: 'server_error', message: 'HTTP 503', retryable: true, details: { status: 503 } } } });
    j.put(makeJob('a'));
    j.put(makeJob('b', { relativePath: 'dir/b.jpg', destination: 'filestack' }));
    j.put(failed);
    j.put(makeJob('a', { status: doneStatus, bytesSent: 1000, attempts: 1, updatedAt: T0 + 9 }));
    j.put(makeJob('d'));
    j.remove('d');
    j.remove('never-existed');
    j.close();

    const again = reopen();
    expect(again.loadAll()).toEqual([
      makeJob('a', { status: doneStatus, bytesSent: 1000, attempts: 1, updatedAt: T0 + 9 }),
      makeJob('b', { relativePath: 'dir/b.jpg', destination: 'filestack' }),
      failed,
    ]);
  });

  it('saves, loads and clears checkpoints; removing a job removes its checkpoint', () => {
    const j = reopen();
    j.put(makeJob('a'));
    j.put(makeJob('b'));
    const state = { uploadId: 'u1', parts: [{ n: 1, etag: '"e1"' }], nested: { ok: true, n: null } };
    j.checkpoint('a').save(state);
    j.checkpoint('b').save({ other: 1 });
    expect(j.checkpoint('a').load()).toEqual(state);
    j.close();

    const k = reopen();
    expect(k.checkpoint('a').load()).toEqual(state);
    k.checkpoint('a').save({ uploadId: 'u1', parts: [] });
    expect(k.checkpoint('a').load()).toEqual({ uploadId: 'u1', parts: [] });
    k.checkpoint('a').clear();
    expect(k.checkpoint('a').load()).toBeUndefined();
    k.checkpoint('a').save({ x: 1 });
    k.checkpoint('a').save(undefined);
    expect(k.checkpoint('a').load()).toBeUndefined();
    k.remove('b');
    expect(k.checkpoint('b').load()).toBeUndefined();
    expect(k.checkpoint('nobody').load()).toBeUndefined();
  });

  it('keeps upload history, lists it newest first and finds uploads by hash and destination', () => {
    const j = reopen();
    j.history.append(entry('a', SHA_A, { finishedAt: T0 + 1 }));
    j.history.append(entry('b', SHA_B, { finishedAt: T0 + 3 }));
    j.history.append(entry('c', SHA_A, { finishedAt: T0 + 2, destination: 'imagekit' }));
    j.history.append(entry('a', SHA_A, { finishedAt: T0 + 4, url: 'http://x/a2' })); // same job again: replaces
    j.close();

    const k = reopen();
    expect(k.history.recent(10).map((e) => e.jobId)).toEqual(['a', 'b', 'c']);
    expect(k.history.recent(2).map((e) => e.jobId)).toEqual(['a', 'b']);
    expect(k.history.recent(0)).toEqual([]);
    expect(k.history.findUploaded(SHA_A, 'local')).toEqual(entry('a', SHA_A, { finishedAt: T0 + 4, url: 'http://x/a2' }));
    expect(k.history.findUploaded(SHA_A.toUpperCase(), 'imagekit')?.jobId).toBe('c');
    expect(k.history.findUploaded(SHA_B, 'filestack')).toBeNull();
    expect(k.history.findUploaded('c'.repeat(64), 'local')).toBeNull();
    expect(() => k.history.append(entry('z', 'not-a-hash'))).toThrow(FerryError);
  });

  it('commitDone stores the done job, its history and drops the checkpoint together', () => {
    const j = reopen();
    j.put(makeJob('a', { status: { kind: 'uploading' } }));
    j.checkpoint('a').save({ uploadId: 'u' });
    j.commitDone(makeJob('a', { status: doneStatus, bytesSent: 1000 }), entry('a', SHA_A));
    j.close();
    const k = reopen();
    expect(k.loadAll()[0]?.status.kind).toBe('done');
    expect(k.checkpoint('a').load()).toBeUndefined();
    expect(k.history.findUploaded(SHA_A, 'local')?.jobId).toBe('a');
  });

  it('returns the latest state after many interleaved writes', () => {
    const random = mulberry32(7);
    const model = new Map<string, Job>();
    const checkpoints = new Map<string, unknown>();
    const j = reopen();
    for (let i = 0; i < 300; i++) {
      const id = `job-${Math.floor(random() * 20)}`;
      const roll = random();
      if (roll < 0.15) {
        j.remove(id);
        model.delete(id);
        checkpoints.delete(id);
      } else if (roll < 0.4) {
        j.checkpoint(id).save({ i });
        checkpoints.set(id, { i });
      } else {
        const job = makeJob(id, { bytesSent: i, size: 1000, attempts: i % 5, updatedAt: T0 + i });
        j.put(job);
        model.set(id, job);
      }
    }
    j.close();
    const k = reopen();
    const loaded = new Map(k.loadAll().map((job) => [job.id, job]));
    expect(loaded).toEqual(model);
    for (let n = 0; n < 20; n++) expect(k.checkpoint(`job-${n}`).load()).toEqual(checkpoints.get(`job-${n}`));
  });

  it('drops and logs invalid job rows on load instead of crashing', () => {
    const j = reopen();
    j.put(makeJob('good'));
    j.close();
    const raw = new Database(path.join(dir, 'journal.db'));
    const insert = raw.prepare('INSERT INTO jobs (id, data, updated_at) VALUES (?, ?, 0)');
    insert.run('not-json', '{"id": "not-json", ');
    insert.run('bad-status', JSON.stringify(makeJob('bad-status', { status: { kind: 'exploded' } as unknown as JobStatus })));
    insert.run('missing', JSON.stringify({ id: 'missing', name: 'x' }));
    insert.run('mismatch', JSON.stringify(makeJob('other-id')));
    insert.run('neg', JSON.stringify(makeJob('neg', { size: -1 })));
    raw.prepare("INSERT INTO checkpoints (job_id, state, updated_at) VALUES ('bad-status', '{}', 0)").run();
    raw.close();

    const { lines, logger } = captureLogger();
    const k = reopen(logger);
    expect(k.loadAll()).toEqual([makeJob('good')]);
    // Each drop is logged with a short reason that never echoes the row.
    const dropped = lines.filter((l) => l.level === 'warn').map((l) => [l.message, l.fields?.id, l.fields?.reason] as const);
    expect(dropped.map(([message]) => message)).toEqual(Array(5).fill('journal: dropped an invalid job row'));
    const reasons = Object.fromEntries(dropped.map(([, id, reason]) => [id, reason]));
    expect(reasons).toEqual({
      'not-json': 'not JSON',
      'bad-status': expect.stringMatching(/^status\.kind: \S/),
      missing: expect.stringMatching(/^[a-zA-Z]+: \S/),
      mismatch: 'id column does not match the stored job',
      neg: expect.stringMatching(/^size: \S/),
    });
    expect(k.checkpoint('bad-status').load()).toBeUndefined();
    // Dropped for good: a second load is clean.
    k.close();
    const again = captureLogger();
    expect(reopen(again.logger).loadAll()).toEqual([makeJob('good')]);
    expect(again.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('ignores an unreadable checkpoint with a warning', () => {
    const j = reopen();
    j.close();
    const raw = new Database(path.join(dir, 'journal.db'));
    raw.prepare("INSERT INTO checkpoints (job_id, state, updated_at) VALUES ('a', '{oops', 0)").run();
    raw.close();
    const { lines, logger } = captureLogger();
    expect(reopen(logger).checkpoint('a').load()).toBeUndefined();
    expect(lines.some((l) => l.level === 'warn' && l.fields?.jobId === 'a')).toBe(true);
  });

  it('refuses invalid jobs and use after close with typed errors', () => {
    const j = reopen();
    expect(() => j.put(makeJob('x', { bytesSent: 5000, size: 10 }))).toThrow(FerryError);
    expect(() => j.put({ ...makeJob('y'), destination: 'dropbox' } as unknown as Job)).toThrow(FerryError);
    j.close();
    j.close(); // idempotent
    try {
      j.loadAll();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FerryError);
      expect((e as FerryError).error.code).toBe('internal');
    }
  });
});

describe('journal: dedupe pre-check lookups (schema 2)', () => {
  it('migrates a schema-1 journal in place: old history stays, new entries carry the source version', () => {
    const raw = new Database(path.join(dir, 'journal.db'));
    raw.pragma('journal_mode = WAL');
    raw.transaction(() => {
      MIGRATIONS[0]?.up(raw);
      raw.pragma(`application_id = ${APPLICATION_ID}`);
      raw.pragma('user_version = 1');
    })();
    raw.prepare('INSERT INTO history (job_id, destination, source_path, size, sha256, url, remote_id, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('old', 'local', '/data/old', 1000, SHA_A, 'http://x/old', 'old', T0);
    raw.close();

    const j = reopen();
    expect(j.status.mode).toBe('sqlite');
    expect(j.history.findUploaded(SHA_A, 'local')).toEqual(entry('old', SHA_A, { sourcePath: '/data/old' }));
    j.history.append(entry('new', SHA_B, { size: 2048, sourceVersion: '1:2:2048:99' }));
    expect(j.history.findByVersion('1:2:2048:99', 'local')?.jobId).toBe('new');
    expect(j.history.findByVersion('1:2:2048:99', 'imagekit')).toBeNull();
    expect(j.history.hasSize(2048, 'local')).toBe(true);
    expect(j.history.hasSize(1000, 'local')).toBe(true);
    expect(j.history.hasSize(1001, 'local')).toBe(false);
    j.close();
    const check = new Database(path.join(dir, 'journal.db'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('the in-memory journal answers the same lookups', () => {
    const j = createMemoryJournal({ mode: 'memory', error: { code: 'permission', message: 'x', retryable: false } }, captureLogger().logger);
    j.history.append(entry('m', SHA_A, { size: 5, sourceVersion: 'v' }));
    expect(j.history.findByVersion('v', 'local')?.jobId).toBe('m');
    expect(j.history.hasSize(5, 'local')).toBe(true);
    expect(j.history.hasSize(5, 'filestack')).toBe(false);
  });
});
