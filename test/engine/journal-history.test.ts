import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src-main/engine/journal/migrations.js';
import { JOURNAL_FILE, openJournal, type Journal, type UploadHistoryEntry } from '../../src-main/engine/journal/sqlite-store.js';

/**
 * The Library's history (schema 2): folder paths, types, names of made files and their source
 * link, in both journals alike; and a schema-1 journal from an earlier release migrates in place
 * without losing a row.
 */

const T0 = Date.UTC(2025, 5, 1);
const quiet = { info() {}, warn() {}, error() {} };
const sha = (c: string) => c.repeat(64);

function entry(jobId: string, over: Partial<UploadHistoryEntry> = {}): UploadHistoryEntry {
  return { jobId, destination: 'local', sourcePath: `/home/me/${jobId}`, size: 10, sha256: sha('a'), url: `http://x/${jobId}`, remoteId: `h-${jobId}`, finishedAt: T0, ...over };
}

let dir: string;
let opened: Journal[] = [];
beforeEach(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-history-'));
  opened = [];
});
afterEach(async () => {
  for (const j of opened) j.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const journals: [string, () => Journal][] = [
  ['sqlite', () => {
    const j = openJournal({ dir });
    opened.push(j);
    return j;
  }],
  ['memory', () => createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, quiet)],
];

describe.each(journals)('%s journal history', (_kind, open) => {
  it('finds files by name or folder path, filters by type, keeps made-from links', () => {
    const j = open();
    j.history.append(entry('a.jpg', { relativePath: 'Trip/Day1/a.jpg', mimetype: 'image/jpeg', finishedAt: T0 + 1 }));
    j.history.append(entry('b.mp4', { relativePath: 'Trip/b.mp4', mimetype: 'video/mp4', finishedAt: T0 + 2 }));
    j.history.append(entry('c.mp3', { mimetype: 'audio/mpeg', finishedAt: T0 + 3 }));
    j.history.append(
      entry('made', { sourcePath: '', name: 'a-edited.webp', sha256: '', mimetype: 'image/webp', origin: 'transform', sourceId: 'a.jpg', finishedAt: T0 + 4 }),
    );
    const ids = (q: Parameters<typeof j.history.query>[0]) => j.history.query(q).entries.map((e) => e.jobId);
    const page = { limit: 10, offset: 0 };
    expect(ids({ ...page, text: 'day1' })).toEqual(['a.jpg']);
    expect(ids({ ...page, text: 'trip' })).toEqual(['b.mp4', 'a.jpg']);
    // The local folder (/home/me) is not searched; the made file's own name is.
    expect(ids({ ...page, text: 'home' })).toEqual([]);
    expect(ids({ ...page, text: 'EDITED' })).toEqual(['made']);
    expect(ids({ ...page, type: 'image' })).toEqual(['made', 'a.jpg']);
    expect(ids({ ...page, type: 'media' })).toEqual(['c.mp3', 'b.mp4']);
    expect(ids({ ...page, type: 'audio', text: 'c' })).toEqual(['c.mp3']);
    expect(j.history.query({ ...page, type: 'video', limit: 0 }).total).toBe(1);
    expect(j.history.get('made')).toEqual(
      entry('made', { sourcePath: '', name: 'a-edited.webp', sha256: '', mimetype: 'image/webp', origin: 'transform', sourceId: 'a.jpg', finishedAt: T0 + 4 }),
    );
    // A made file has no content key: no lookup ever matches it, not even an empty one.
    expect(j.history.findUploaded('', 'local')).toBeNull();
    expect(() => j.history.append(entry('bad', { origin: 'duplicate' }))).toThrow(FerryError);
  });

  it('sameFile lists every name one remote file was recorded under, newest first', () => {
    const j = open();
    j.history.append(entry('orig', { remoteId: 'H1', finishedAt: T0 }));
    j.history.append(entry('dup', { remoteId: 'H1', origin: 'duplicate', sourceId: 'orig', finishedAt: T0 + 5 }));
    j.history.append(entry('other', { remoteId: 'H2' }));
    j.history.append(entry('elsewhere', { remoteId: 'H1', destination: 'filestack' }));
    expect(j.history.sameFile('local', 'H1').map((e) => e.jobId)).toEqual(['dup', 'orig']);
    expect(j.history.sameFile('local', 'nope')).toEqual([]);
  });
});

describe('schema 1 → 2 migration', () => {
  it('keeps every row of an earlier release and guesses the types it never stored', () => {
    const file = path.join(dir, JOURNAL_FILE);
    const old = new Database(file);
    MIGRATIONS[0]?.up(old);
    old.pragma(`application_id = ${APPLICATION_ID}`);
    old.pragma('user_version = 1');
    const insert = old.prepare(
      'INSERT INTO history (job_id, destination, source_path, size, sha256, url, remote_id, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('p', 'local', '/home/me/Photo.PNG', 5, sha('b'), 'http://x/p', 'hp', T0);
    insert.run('v', 'imagekit', 'C:\\clips\\talk.webm', 6, sha('c'), 'http://x/v', 'hv', T0 + 1);
    insert.run('n', 'local', '/home/me/notes', 7, sha('d'), 'http://x/n', 'hn', T0 + 2);
    old.close();

    const j = openJournal({ dir });
    opened.push(j);
    expect(j.status).toMatchObject({ mode: 'sqlite', recovered: null });
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
    expect(j.history.get('p')).toEqual({
      jobId: 'p', destination: 'local', sourcePath: '/home/me/Photo.PNG', size: 5, sha256: sha('b'), url: 'http://x/p', remoteId: 'hp', finishedAt: T0, mimetype: 'image/png',
    });
    expect(j.history.get('v')?.mimetype).toBe('video/webm');
    expect(j.history.get('n')?.mimetype).toBeUndefined();
    expect(j.history.query({ limit: 10, offset: 0 }).total).toBe(3);
    expect(j.history.query({ type: 'image', limit: 10, offset: 0 }).entries.map((e) => e.jobId)).toEqual(['p']);
    // Dedupe still finds the old rows.
    expect(j.history.findUploaded(sha('c'), 'imagekit')?.jobId).toBe('v');
  });
});
