import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../engine/journal/sqlite-options.js';
import type { Logger } from '../engine/ports.js';

/** The ledger's file name inside the data dir. */
export const LEDGER_FILE = 'watch-ledger.db';

/** One file the watcher uploaded (or adopted), as remembered across launches. */
export type LedgerEntry = {
  readonly folderId: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly dev: number;
  readonly ino: number;
  readonly sha256: string;
  readonly url: string;
  readonly remotePath: string;
  readonly jobId: string;
  readonly uploadedAt: number;
};

/** What was uploaded from the watched folders. All calls are synchronous (better-sqlite3). */
export type Ledger = {
  byPath(folderId: string, path: string): LedgerEntry | undefined;
  /** Entries of a folder with this (dev, ino): the same file under any name. */
  byInode(folderId: string, dev: number, ino: number): LedgerEntry[];
  byHash(folderId: string, sha256: string): LedgerEntry[];
  hasJob(jobId: string): boolean;
  /** Inserts or replaces the entry for (folderId, path). */
  record(entry: LedgerEntry): void;
  /** A recognised rename: the entry now lives at `to`, with the file's current identity. */
  rename(from: LedgerEntry, to: { path: string; size: number; mtimeMs: number; dev: number; ino: number }): void;
  count(folderId: string): number;
  forgetFolder(folderId: string): void;
  readonly file: string | null;
  close(): void;
};

type Row = {
  folder_id: string;
  path: string;
  size: number;
  mtime_ms: number;
  dev: number;
  ino: number;
  sha256: string;
  url: string;
  remote_path: string;
  job_id: string;
  uploaded_at: number;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS uploads (
  folder_id TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
  dev INTEGER NOT NULL, ino INTEGER NOT NULL, sha256 TEXT NOT NULL, url TEXT NOT NULL,
  remote_path TEXT NOT NULL, job_id TEXT NOT NULL, uploaded_at INTEGER NOT NULL,
  PRIMARY KEY (folder_id, path)
);
CREATE INDEX IF NOT EXISTS uploads_inode ON uploads (folder_id, dev, ino);
CREATE INDEX IF NOT EXISTS uploads_hash ON uploads (folder_id, sha256);
CREATE INDEX IF NOT EXISTS uploads_job ON uploads (job_id);
`;

const toEntry = (r: Row): LedgerEntry => ({
  folderId: r.folder_id,
  path: r.path,
  size: r.size,
  mtimeMs: r.mtime_ms,
  dev: r.dev,
  ino: r.ino,
  sha256: r.sha256,
  url: r.url,
  remotePath: r.remote_path,
  jobId: r.job_id,
  uploadedAt: r.uploaded_at,
});

function openAt(file: string): Database.Database {
  const db = new Database(file, sqliteOptions());
  try {
    // NORMAL in WAL mode may lose the newest rows on power loss; the cost is one re-upload,
    // and it keeps a 100k-file catch-up from paying an fsync per file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    db.prepare('SELECT count(*) FROM uploads').get();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Opens `<dataDir>/watch-ledger.db`. Never throws: a damaged file is moved aside (kept for
 * rescue) and replaced; an unusable dir gives an in-memory ledger, logged, so watching still works
 * (it will re-check, not lose, files after the next restart).
 */
export function openLedger(dataDir: string, logger: Logger): Ledger {
  const file = path.join(dataDir, LEDGER_FILE);
  let db: Database.Database;
  let where: string | null = file;
  try {
    db = openAt(file);
  } catch (first) {
    const code = (first as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
      const aside = `${file}.corrupt-${Date.now()}`;
      logger.warn('watch ledger damaged; moved aside', { file, aside, code });
      for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
      fs.renameSync(file, aside);
      db = openAt(file);
    } else {
      logger.error('watch ledger unavailable; using memory', { file, error: String(first) });
      db = openAt(':memory:');
      where = null;
    }
  }
  const q = {
    byPath: db.prepare<[string, string], Row>('SELECT * FROM uploads WHERE folder_id = ? AND path = ?'),
    byInode: db.prepare<[string, number, number], Row>('SELECT * FROM uploads WHERE folder_id = ? AND dev = ? AND ino = ?'),
    byHash: db.prepare<[string, string], Row>('SELECT * FROM uploads WHERE folder_id = ? AND sha256 = ?'),
    hasJob: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM uploads WHERE job_id = ? LIMIT 1'),
    put: db.prepare(
      `INSERT OR REPLACE INTO uploads (folder_id, path, size, mtime_ms, dev, ino, sha256, url, remote_path, job_id, uploaded_at)
       VALUES (@folder_id, @path, @size, @mtime_ms, @dev, @ino, @sha256, @url, @remote_path, @job_id, @uploaded_at)`,
    ),
    del: db.prepare<[string, string]>('DELETE FROM uploads WHERE folder_id = ? AND path = ?'),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM uploads WHERE folder_id = ?'),
    forget: db.prepare<[string]>('DELETE FROM uploads WHERE folder_id = ?'),
  };
  const toRow = (e: LedgerEntry): Row => ({
    folder_id: e.folderId,
    path: e.path,
    size: e.size,
    mtime_ms: e.mtimeMs,
    dev: e.dev,
    ino: e.ino,
    sha256: e.sha256,
    url: e.url,
    remote_path: e.remotePath,
    job_id: e.jobId,
    uploaded_at: e.uploadedAt,
  });
  const renameTx = db.transaction((from: LedgerEntry, to: { path: string; size: number; mtimeMs: number; dev: number; ino: number }) => {
    q.del.run(from.folderId, from.path);
    q.put.run(toRow({ ...from, ...to }));
  });
  return {
    byPath: (folderId, p) => {
      const row = q.byPath.get(folderId, p);
      return row ? toEntry(row) : undefined;
    },
    byInode: (folderId, dev, ino) => q.byInode.all(folderId, dev, ino).map(toEntry),
    byHash: (folderId, sha256) => q.byHash.all(folderId, sha256).map(toEntry),
    hasJob: (jobId) => q.hasJob.get(jobId) !== undefined,
    record: (entry) => void q.put.run(toRow(entry)),
    rename: (from, to) => renameTx(from, to),
    count: (folderId) => q.count.get(folderId)?.n ?? 0,
    forgetFolder: (folderId) => void q.forget.run(folderId),
    file: where,
    close: () => db.close(),
  };
}
