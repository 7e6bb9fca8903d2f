import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src-shared/errors.js';
import type { Job } from '../../src-shared/model/job.js';
import { openJournal, type Journal } from '../../src-main/engine/journal/sqlite-store.js';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const makeJob = (id: string): Job => ({
  id, name: `${id}.bin`, relativePath: null, sourcePath: `/data/${id}.bin`, size: 10, destination: 'local',
  status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: T0, updatedAt: T0,
});

function captureLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

let dir: string;
let file: string;
const journals: Journal[] = [];
const clock = { now: () => T0 };

beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-journal-rec-'));
  file = path.join(dir, 'journal.db');
});
afterEach(async () => {
  for (const j of journals.splice(0)) j.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

function open(logger = captureLogger().logger, at = dir): Journal {
  const j = openJournal({ dir: at, logger, clock });
  journals.push(j);
  return j;
}

/** A real journal with enough rows to span many pages. */
function writeRealJournal(): void {
  const j = openJournal({ dir, clock });
  for (let i = 0; i < 50; i++) {
    j.put({ ...makeJob(`job-${i}`), name: `${'n'.repeat(3000)}-${i}` });
    j.checkpoint(`job-${i}`).save({ parts: Array.from({ length: 40 }, (_, p) => ({ p, etag: `"${'e'.repeat(32)}"` })) });
  }
  j.close();
}

/** Opens the damaged file, then checks: bad bytes kept aside, fresh journal durable and usable. */
function expectRecovered(original: Buffer, extra: (names: string[]) => void = () => {}): string {
  const { lines, logger } = captureLogger();
  const j = open(logger);
  expect(j.status.mode).toBe('sqlite');
  if (j.status.mode !== 'sqlite') return '';
  const rec = j.status.recovered;
  expect(rec).not.toBeNull();
  expect(path.basename(rec?.movedTo ?? '')).toMatch(/^journal\.db\.corrupt-2025-01-15T12-00-00-000Z$/);
  // What the UI shows: why, where the bad file is kept, and the code behind it.
  expect(rec?.error).toEqual({
    code: 'integrity',
    message: expect.stringMatching(/^The upload journal was unreadable \(.+\); it was kept as .+ and a new one started\.$/),
    retryable: false,
    details: { path: rec?.movedTo, reason: expect.stringMatching(/^(SQLITE_[A-Z_]+|ForeignSchemaError|DamagedFileError)$/) },
  });
  expect(rec?.error.message).toContain(`it was kept as ${rec?.movedTo} and`);
  expect(fs.readFileSync(rec!.movedTo).equals(original)).toBe(true);
  expect(lines.filter((l) => l.level === 'error')).toEqual([
    { level: 'error', message: 'journal: bad journal file moved aside', fields: { movedTo: rec?.movedTo, reason: expect.any(String), code: rec?.error.details?.['reason'] } },
  ]);
  extra(fs.readdirSync(dir));

  expect(j.loadAll()).toEqual([]);
  j.put(makeJob('fresh'));
  j.checkpoint('fresh').save({ ok: 1 });
  j.close();
  const again = open();
  expect(again.status).toEqual({ mode: 'sqlite', path: file, recovered: null });
  expect(again.loadAll()).toEqual([makeJob('fresh')]);
  expect(again.checkpoint('fresh').load()).toEqual({ ok: 1 });
  return rec?.error.message ?? '';
}

describe('journal recovery from bad files', () => {
  it('moves a truncated journal aside and starts fresh', () => {
    writeRealJournal();
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(16 * 4096);
    fs.truncateSync(file, Math.floor(size / 2));
    expectRecovered(fs.readFileSync(file));
  });

  it('moves a file of garbage bytes (and its WAL) aside', () => {
    const garbage = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 256));
    fs.writeFileSync(file, garbage);
    fs.writeFileSync(`${file}-wal`, Buffer.from('not a wal either'));
    expectRecovered(garbage, (names) => {
      expect(names).toContain('journal.db.corrupt-2025-01-15T12-00-00-000Z-wal');
    });
  });

  it('moves a valid SQLite file with a foreign schema aside', () => {
    const raw = new Database(file);
    raw.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO photos (title) VALUES ('cat');");
    raw.close();
    expectRecovered(fs.readFileSync(file));
  });

  it('moves a foreign file that happens to have a jobs table aside', () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE jobs (id TEXT PRIMARY KEY, data TEXT, updated_at INTEGER);');
    raw.close();
    expectRecovered(fs.readFileSync(file));
  });

  it.each([[99], [0]])('moves a Ferry journal with user_version %i aside', (version) => {
    writeRealJournal();
    const raw = new Database(file);
    raw.pragma(`user_version = ${version}`);
    raw.close();
    expect(expectRecovered(fs.readFileSync(file))).toContain(`unknown journal schema version ${version}`);
  });

  it("moves another application's database with Ferry's very tables aside (its application_id says so)", () => {
    writeRealJournal();
    const raw = new Database(file);
    raw.pragma('application_id = 12345');
    raw.close();
    expect(expectRecovered(fs.readFileSync(file))).toContain('(not a Ferry journal (application_id 12345))');
  });

  it('keeps several bad files side by side', () => {
    const moved: string[] = [];
    for (const text of ['garbage one', 'garbage two', 'garbage three']) {
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, text);
      const j = open();
      if (j.status.mode === 'sqlite') moved.push(path.basename(j.status.recovered?.movedTo ?? ''));
      j.close();
    }
    journals.length = 0;
    const stamp = 'journal.db.corrupt-2025-01-15T12-00-00-000Z';
    expect(moved).toEqual([stamp, `${stamp}-1`, `${stamp}-2`]);
    expect(moved.map((n) => fs.readFileSync(path.join(dir, n), 'utf8'))).toEqual(['garbage one', 'garbage two', 'garbage three']);
  });

  it('moves a Ferry journal that lost a column aside, naming the table and column', () => {
    writeRealJournal();
    const raw = new Database(file);
    raw.exec('ALTER TABLE history DROP COLUMN mimetype');
    raw.close();
    expect(expectRecovered(fs.readFileSync(file))).toContain('(table history lacks mimetype)');
  });

  it('opens an empty (0-byte) file as a fresh journal without moving it', () => {
    fs.writeFileSync(file, '');
    const j = open();
    expect(j.status).toEqual({ mode: 'sqlite', path: file, recovered: null });
  });
});

describe('journal fallback to memory', () => {
  it('uses an in-memory journal with a typed error when the data dir is under a file', () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const { lines, logger } = captureLogger();
    const j = open(logger, path.join(blocker, 'sub'));
    expect(j.status.mode).toBe('memory');
    if (j.status.mode !== 'memory') return;
    expect(isAppError(j.status.error)).toBe(true);
    expect(j.status.error).toMatchObject({ code: 'permission', retryable: false, details: { errno: 'ENOTDIR' } });
    expect(lines.filter((l) => l.level === 'error')).toEqual([
      { level: 'error', message: 'journal: running in memory, the queue will not survive a restart', fields: { path: path.join(blocker, 'sub'), errno: 'ENOTDIR', code: 'permission' } },
    ]);

    // Still a working journal.
    j.put(makeJob('a'));
    j.put(makeJob('b'));
    j.remove('b');
    j.checkpoint('a').save({ s: 1 });
    expect(j.checkpoint('a').load()).toEqual({ s: 1 });
    j.history.append({ jobId: 'a', destination: 'local', sourcePath: '/x', size: 1, sha256: 'f'.repeat(64), url: 'u', remoteId: 'r', finishedAt: T0 });
    expect(j.history.findUploaded('F'.repeat(64), 'local')?.jobId).toBe('a');
    expect(j.history.recent(5)).toHaveLength(1);
    expect(j.loadAll()).toEqual([makeJob('a')]);
    j.remove('a');
    expect(j.checkpoint('a').load()).toBeUndefined();
  });

  it('does not move aside a journal path it cannot open (a directory): memory instead', () => {
    fs.mkdirSync(file);
    const j = open();
    expect(j.status.mode).toBe('memory');
    expect(fs.statSync(file).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.includes('corrupt'))).toEqual([]);
  });

  it('does not touch a healthy journal locked by another writer', () => {
    const first = open();
    first.put(makeJob('kept'));
    const blocker = new Database(file, { timeout: 0 });
    blocker.exec('BEGIN EXCLUSIVE');
    try {
      const second = openJournal({ dir, clock });
      journals.push(second);
      expect(fs.readdirSync(dir).filter((n) => n.includes('corrupt'))).toEqual([]);
      expect(second.status.mode === 'memory' || second.loadAll().length === 1).toBe(true);
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(first.loadAll()).toEqual([makeJob('kept')]);
  });
});
