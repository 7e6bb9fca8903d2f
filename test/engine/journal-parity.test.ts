import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import type { Job } from '../../src-shared/model/job.js';
import type { Logger } from '../../src-main/engine/ports.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { JOURNAL_FILE, openJournal, type Journal, type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';
import type { HistoryQuery } from '../../src-main/engine/journal/types.js';

/**
 * The two journals answer alike (the in-memory one is what a user gets when the data folder cannot
 * hold a database): the Library's filters at their edges, paging, placing, lookups that need
 * both key and destination, ties, and refusal after close. Then what the SQLite one says when
 * SQLite itself fails a statement.
 */

const T0 = Date.UTC(2025, 6, 1);
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function entry(jobId: string, over: Partial<UploadHistoryEntry> = {}): UploadHistoryEntry {
  return { jobId, destination: 'local', sourcePath: `/home/me/${jobId}`, size: 10, sha256: SHA_A, url: `http://x/${jobId}`, remoteId: `h-${jobId}`, finishedAt: T0, ...over };
}

function job(id: string, over: Partial<Job> = {}): Job {
  return { id, name: id, relativePath: null, sourcePath: `/home/me/${id}`, size: 10, destination: 'local', status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: T0, updatedAt: T0, ...over };
}

function captureLogger() {
  const lines: [level: string, message: string, fields?: Record<string, unknown>][] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push([level, message, ...(fields ? [fields] : [])] as [string, string]);
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, logger };
}

/** The refusal a journal gives, as data. */
function refusal(fn: () => unknown): { code: string; message: string; retryable: boolean; details?: unknown } | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof FerryError)) throw e;
    return e.error;
  }
  return 'no error';
}

let dir: string;
let opened: Journal[] = [];
beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-parity-'));
  opened = [];
});
afterEach(async () => {
  for (const j of opened) j.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const journals: [string, (logger?: Logger) => Journal][] = [
  [
    'sqlite',
    (logger) => {
      const j = openJournal({ dir, ...(logger ? { logger } : {}) });
      opened.push(j);
      return j;
    },
  ],
  ['memory', (logger) => createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, logger ?? captureLogger().logger)],
];

describe.each(journals)('%s journal, as the Library and the engine use it', (_kind, open) => {
  it('filters by time and size at their edges, pages, and places entries among the matches', () => {
    const j = open();
    for (let i = 1; i <= 5; i++) j.history.append(entry(`e${i}`, { finishedAt: T0 + i, size: i * 10 }));
    const ids = (q: Partial<HistoryQuery>) => j.history.query({ limit: 10, offset: 0, ...q }).entries.map((e) => e.jobId);
    expect(ids({ since: T0 + 2 })).toEqual(['e5', 'e4', 'e3', 'e2']); // at or after
    expect(ids({ before: T0 + 4 })).toEqual(['e3', 'e2', 'e1']); // strictly before
    expect(ids({ minSize: 20 })).toEqual(['e5', 'e4', 'e3', 'e2']); // at least
    expect(ids({ maxSize: 40 })).toEqual(['e3', 'e2', 'e1']); // fewer than
    expect(ids({ since: T0 + 2, before: T0 + 5, minSize: 30 })).toEqual(['e4', 'e3']);
    expect(j.history.query({ limit: 2, offset: 1 })).toMatchObject({ total: 5, entries: [{ jobId: 'e4' }, { jobId: 'e3' }] });
    expect(ids({ limit: 1.9, offset: -4 })).toEqual(['e5']);
    expect(j.history.query({ limit: 10, offset: 0, minSize: 60 })).toEqual({ total: 0, entries: [] });
    expect(j.history.positions({ minSize: 20 }, ['e2', 'e5', 'nope', 'e1'])).toEqual([
      { jobId: 'e5', index: 0 },
      { jobId: 'e2', index: 3 },
    ]);
    expect(j.history.positions({ sort: 'oldest', before: T0 + 4 }, ['e3', 'e4'])).toEqual([{ jobId: 'e3', index: 2 }]);
  });

  it('recent trims to its limit; equal times list the later record first; recording a job again replaces it; names sort by lower case', () => {
    const j = open();
    for (const id of ['a', 'b', 'c']) j.history.append(entry(id));
    const recent = (n: number) => j.history.recent(n).map((e) => e.jobId);
    expect(recent(10)).toEqual(['c', 'b', 'a']);
    expect([recent(2), recent(1.9), recent(0), recent(-3)]).toEqual([['c', 'b'], ['c'], [], []]);
    j.history.append(entry('a', { finishedAt: T0 + 10, size: 11 }));
    expect(recent(10)).toEqual(['a', 'c', 'b']);
    expect(j.history.get('a')?.size).toBe(11);
    expect(j.history.query({ limit: 10, offset: 0, sort: 'oldest' }).entries.map((e) => e.jobId)).toEqual(['b', 'c', 'a']);

    // '_' sorts between upper and lower case letters: only a lower-cased key gives this order.
    for (const name of ['B.txt', 'ab.txt', 'a_x.txt']) j.history.append(entry(name, { name, finishedAt: T0 - 1 }));
    const named = j.history.query({ limit: 10, offset: 0, sort: 'name', before: T0 }).entries.map((e) => e.jobId);
    expect(named).toEqual(['a_x.txt', 'ab.txt', 'B.txt']);
  });

  it('ties: equal names list the newest first, equal times list by record order, oldest first reversed', () => {
    const j = open();
    for (const [id, at] of [['n1', 1], ['n2', 3], ['n3', 2]] as const) j.history.append(entry(id, { name: 'same.txt', finishedAt: T0 + at }));
    for (const id of ['t1', 't2', 't3', 't4']) j.history.append(entry(id, { name: `${id}.txt`, finishedAt: T0 - 10 }));
    const order = (sort: 'name' | 'oldest') => j.history.query({ limit: 10, offset: 0, sort }).entries.map((e) => e.jobId);
    expect(order('name')).toEqual(['n2', 'n3', 'n1', 't1', 't2', 't3', 't4']);
    expect(order('oldest')).toEqual(['t1', 't2', 't3', 't4', 'n1', 'n3', 'n2']);
    // Folders are the paths entries sit directly in; a path without a folder adds none.
    j.history.append(entry('f1', { relativePath: 'trip/day1/a.jpg' }));
    j.history.append(entry('f2', { relativePath: 'trip/b.jpg' }));
    j.history.append(entry('f3', { relativePath: 'loose.jpg' }));
    expect(j.history.folders().sort((a, b) => a.folder.localeCompare(b.folder))).toEqual([
      { folder: 'trip/', count: 1 },
      { folder: 'trip/day1/', count: 1 },
    ]);
  });

  it('finds an upload only by key and destination together, the newest one, and forgets a removed one', () => {
    const j = open();
    j.history.append(entry('x', { finishedAt: T0 + 1, size: 10 }));
    j.history.append(entry('y', { finishedAt: T0 + 2, size: 10 }));
    j.history.append(entry('z', { finishedAt: T0 + 3, size: 30, destination: 'filestack' }));
    j.history.append(entry('w', { finishedAt: T0 + 4, size: 40, sha256: SHA_B, sourceVersion: 'v1' }));
    j.history.append(entry('v', { finishedAt: T0 + 5, size: 50, sha256: 'c'.repeat(64), destination: 'filestack', sourceVersion: 'v2' }));
    const found = (sha: string, dest: 'local' | 'filestack' | 'imagekit') => j.history.findUploaded(sha, dest)?.jobId ?? null;
    expect([found(SHA_A.toUpperCase(), 'local'), found(SHA_A, 'filestack'), found(SHA_A, 'imagekit')]).toEqual(['y', 'z', null]);
    expect([found(SHA_B, 'filestack'), found('d'.repeat(64), 'local')]).toEqual([null, null]);
    const byVersion = (v: string, dest: 'local' | 'filestack') => j.history.findByVersion(v, dest)?.jobId ?? null;
    expect([byVersion('v1', 'local'), byVersion('v1', 'filestack'), byVersion('v2', 'local'), byVersion('v3', 'local')]).toEqual(['w', null, null, null]);
    const sizes = [j.history.hasSize(10, 'local'), j.history.hasSize(30, 'local'), j.history.hasSize(30, 'filestack'), j.history.hasSize(10, 'filestack'), j.history.hasSize(99, 'local')];
    expect(sizes).toEqual([true, false, true, false, false]);

    expect(j.history.get('nope')).toBeNull();
    expect(j.history.remove('y')).toBe(true);
    expect(j.history.remove('y')).toBe(false);
    expect([j.history.get('y'), found(SHA_A, 'local')]).toEqual([null, 'x']);
  });

  it('a checkpoint saved as nothing is cleared; invalid jobs and entries are refused by name', () => {
    const { lines, logger } = captureLogger();
    const j = open(logger);
    const cp = j.checkpoint('a');
    cp.save({ part: 3 });
    expect(cp.load()).toEqual({ part: 3 });
    cp.save(undefined);
    expect(cp.load()).toBeUndefined();
    expect(j.checkpoint('missing').load()).toBeUndefined();
    expect(lines).toEqual([]); // a missing checkpoint is normal, not a warning

    const badJob = { ...job('bad'), status: { kind: 'teleported' } } as unknown as Job;
    expect(refusal(() => j.put(badJob))).toMatchObject({ code: 'internal', message: expect.stringMatching(/^Refusing to journal an invalid job/) });
    expect(refusal(() => j.commitDone(badJob, entry('bad')))).toMatchObject({ code: 'internal', message: 'Refusing to journal an invalid job.' });
    const badEntry = entry('e', { sha256: 'not a key' });
    expect(refusal(() => j.history.append(badEntry))).toMatchObject({ code: 'internal', message: 'Refusing to journal an invalid history entry.' });
    expect([j.loadAll(), j.history.recent(5)]).toEqual([[], []]);
  });

  it('after close every call is refused as "closed"; closing twice is harmless', () => {
    const { lines, logger } = captureLogger();
    const j = open(logger);
    j.put(job('a'));
    j.close();
    const closedOnce = lines.filter(([, message]) => message.includes('closed')).length;
    j.close();
    const calls: (() => unknown)[] = [
      () => j.loadAll(),
      () => j.put(job('b')),
      () => j.remove('a'),
      () => j.checkpoint('a').load(),
      () => j.checkpoint('a').save({ part: 1 }),
      () => j.checkpoint('a').clear(),
      () => j.commitDone(job('a'), entry('a')),
      () => j.history.append(entry('a')),
      () => j.history.recent(5),
      () => j.history.findUploaded(SHA_A, 'local'),
      () => j.history.findByVersion('v', 'local'),
      () => j.history.hasSize(10, 'local'),
      () => j.history.query({ limit: 5, offset: 0 }),
      () => j.history.positions({}, ['a']),
      () => j.history.folders(),
      () => j.history.get('a'),
      () => j.history.remove('a'),
      () => j.history.sameFile('local', 'h-a'),
    ];
    for (const call of calls) expect(refusal(call)).toEqual({ code: 'internal', message: 'The upload journal is closed.', retryable: false });
    // The in-memory journal says once that its contents are gone; the durable one has nothing to say.
    const closedLines = lines.filter(([, message]) => message.includes('closed'));
    expect([closedOnce, closedLines.length]).toEqual(j.status.mode === 'memory' ? [1, 1] : [0, 0]);
  });
});

describe('sqlite journal when SQLite fails a statement', () => {
  it('a batch whose own work throws is refused as "could not save a batch of jobs", and nothing of it is kept', () => {
    const { logger } = captureLogger();
    const j = openJournal({ dir, logger });
    opened.push(j);
    const error = refusal(() =>
      j.batch!(() => {
        j.put(job('half'));
        throw new Error('disk went away');
      }),
    );
    expect(error).toEqual({ code: 'internal', message: 'The upload journal could not save a batch of jobs: disk went away', retryable: false, details: { code: null } });
    expect(j.loadAll()).toEqual([]);
  });

  it('a history row that is no longer valid is skipped with a warning naming it', () => {
    const { lines, logger } = captureLogger();
    let j = openJournal({ dir });
    j.history.append(entry('good', { finishedAt: T0 + 1 }));
    j.history.append(entry('spoiled'));
    j.close();
    const raw = new Database(path.join(dir, JOURNAL_FILE));
    raw.prepare("UPDATE history SET sha256 = 'not a key' WHERE job_id = 'spoiled'").run();
    raw.close();
    j = openJournal({ dir, logger });
    opened.push(j);
    expect(j.history.recent(5).map((e) => e.jobId)).toEqual(['good']);
    expect(j.history.get('spoiled')).toBeNull();
    const warned = lines.filter(([level]) => level === 'warn');
    expect(warned.map(([, message]) => message)).toEqual(['journal: skipped an invalid history row', 'journal: skipped an invalid history row']);
    expect(warned[0]![2]).toEqual({ id: expect.any(Number) });
  });

  it('each write is refused as "could not <what it was doing>" with SQLite\'s code, and logged', () => {
    const { lines, logger } = captureLogger();
    const j = openJournal({ dir, logger });
    opened.push(j);
    j.put(job('a'));
    // Another connection takes the tables away: every statement of ours now fails inside SQLite.
    const other = new Database(path.join(dir, JOURNAL_FILE));
    other.exec('DROP TABLE history; DROP TABLE checkpoints; DROP TABLE jobs;');
    other.close();
    const cases: [string, () => unknown][] = [
      ['save the job', () => j.put(job('b'))],
      ['remove the job', () => j.remove('a')],
      ['save the checkpoint', () => j.checkpoint('a').save({ part: 1 })],
      ['clear the checkpoint', () => j.checkpoint('a').save(undefined)],
      ['clear the checkpoint', () => j.checkpoint('a').clear()],
      ['record the upload', () => j.history.append(entry('a'))],
      ['record the upload', () => j.commitDone(job('a'), entry('a'))],
      ['forget the upload', () => j.history.remove('a')],
      // In a batch the statement that failed names itself; the batch does not wrap it again.
      ['save the job', () => j.batch!(() => j.put(job('c')))],
      ['read', () => j.history.recent(5)],
      ['read', () => j.loadAll()],
    ];
    for (const [what, call] of cases) {
      const error = refusal(call);
      expect(error, what).toMatchObject({ code: 'internal', retryable: false, details: { code: 'SQLITE_ERROR' } });
      expect(error !== 'no error' && error.message, what).toMatch(new RegExp(`^The upload journal could not ${what}: no such table: \\w+$`));
    }
    const logged = lines.filter(([level]) => level === 'error');
    expect(logged.map(([, message]) => message)).toEqual(cases.map(([what]) => `journal: ${what} failed`));
    expect(logged[0]![2]).toEqual({ message: 'no such table: jobs', code: 'SQLITE_ERROR' });
  });
});
