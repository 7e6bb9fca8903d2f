import path from 'node:path';
import type Database from 'better-sqlite3';
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { DestinationKind, Job } from '../../../src-shared/model/job.js';
import type { Clock, Logger, UploadCheckpoint } from '../ports.js';
import { createMemoryJournal } from './memory-journal.js';
import { openDurable } from './open-db.js';
import { historyRowOf, parseHistoryRow, parseJobRow, storedJobSchema } from './row-schemas.js';
import { entryMatches, entrySortName, folderOfPath } from './history-name.js';
import { LIBRARY_SORTS, mimeMatchesType, type LibrarySort, type LibraryType } from '../../../src-shared/model/library.js';
import { HISTORY_FILTER, HISTORY_ORDER, sqlFilter, type SqlFilter } from './history-sql.js';
import type { HistoryFilter, HistoryQuery, Journal, JournalStatus, UploadHistory, UploadHistoryEntry } from './types.js';

export type { HistoryFilter, HistoryPage, HistoryQuery, Journal, JournalStatus, UploadHistory, UploadHistoryEntry } from './types.js';

/** The journal's file name inside the data dir. */
export const JOURNAL_FILE = 'journal.db';

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const systemClock: Clock = { now: () => Date.now() };

export type OpenJournalOptions = { readonly dir: string; readonly logger?: Logger; readonly clock?: Clock };

/**
 * Opens the durable journal at `<dir>/journal.db`. Never throws: a damaged file is moved aside
 * and replaced, and an unwritable dir gives an in-memory journal whose `status` says why.
 */
export function openJournal(opts: OpenJournalOptions): Journal {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const file = path.join(opts.dir, JOURNAL_FILE);
  const opened = openDurable(opts.dir, file, logger, clock);
  if (!opened.ok) {
    logger.error('journal: running in memory, the queue will not survive a restart', { ...opened.error.details, code: opened.error.code });
    return createMemoryJournal({ mode: 'memory', error: opened.error }, logger);
  }
  return new SqliteJournal(opened.db, { mode: 'sqlite', path: file, recovered: opened.recovered }, logger, clock);
}

/** Runs a write; SQLite failures (disk full, I/O) become a typed error the engine can report. */
function guarded<T>(logger: Logger, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FerryError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    logger.error(`journal: ${what} failed`, { message, code });
    throw new FerryError(
      appError('internal', `The upload journal could not ${what}: ${message}`, {
        retryable: false,
        details: { code: typeof code === 'string' ? code : null },
      }),
    );
  }
}

/** Every statement the journal runs, prepared once. */
function prepareStatements(db: Database.Database) {
  // The library's search and type filter; JS functions so SQLite and the memory journal match alike.
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  db.function('ferry_entry_matches', { deterministic: true }, (name: unknown, sourcePath: unknown, relativePath: unknown, text: unknown) =>
    typeof sourcePath === 'string' && typeof text === 'string' && entryMatches({ name: str(name), sourcePath, relativePath: str(relativePath) }, text) ? 1 : 0,
  );
  db.function('ferry_sort_name', { deterministic: true }, (name: unknown, sourcePath: unknown) =>
    entrySortName({ name: str(name), sourcePath: typeof sourcePath === 'string' ? sourcePath : '' }),
  );
  db.function('ferry_folder_of', { deterministic: true }, (relativePath: unknown) => folderOfPath(str(relativePath)));
  db.function('ferry_type_matches', { deterministic: true }, (mimetype: unknown, type: unknown) =>
    mimeMatchesType(str(mimetype), type as LibraryType) ? 1 : 0,
  );
  return {
    allJobs: db.prepare<[], { id: string; data: string }>('SELECT id, data FROM jobs ORDER BY rowid'),
    // Upsert, not REPLACE: keeps the rowid, so loadAll returns jobs in the order they were added.
    putJob: db.prepare(
      'INSERT INTO jobs (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
    ),
    deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
    getCheckpoint: db.prepare<[string], { state: string }>('SELECT state FROM checkpoints WHERE job_id = ?'),
    putCheckpoint: db.prepare(
      'INSERT INTO checkpoints (job_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    ),
    deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE job_id = ?'),
    putHistory: db.prepare(
      `INSERT INTO history (job_id, destination, source_path, size, sha256, url, remote_id, finished_at, name, relative_path, mimetype, origin, source_id, source_version)
       VALUES (@job_id, @destination, @source_path, @size, @sha256, @url, @remote_id, @finished_at, @name, @relative_path, @mimetype, @origin, @source_id, @source_version)
       ON CONFLICT (job_id) DO UPDATE SET destination = excluded.destination, source_path = excluded.source_path,
         size = excluded.size, sha256 = excluded.sha256, url = excluded.url, remote_id = excluded.remote_id,
         finished_at = excluded.finished_at, name = excluded.name, relative_path = excluded.relative_path,
         mimetype = excluded.mimetype, origin = excluded.origin, source_id = excluded.source_id,
         source_version = excluded.source_version`,
    ),
    recentHistory: db.prepare<[number]>('SELECT * FROM history ORDER BY finished_at DESC, id DESC LIMIT ?'),
    findHistory: db.prepare<[string, string]>(
      "SELECT * FROM history WHERE sha256 = ? AND sha256 != '' AND destination = ? ORDER BY finished_at DESC, id DESC LIMIT 1",
    ),
    findByVersion: db.prepare<[string, string]>(
      'SELECT * FROM history WHERE source_version = ? AND destination = ? ORDER BY finished_at DESC, id DESC LIMIT 1',
    ),
    // Only rows with a content key can be a duplicate's original.
    hasSize: db.prepare<[string, number], { one: number }>("SELECT 1 AS one FROM history WHERE destination = ? AND size = ? AND sha256 != '' LIMIT 1"),
    sameFile: db.prepare<[string, string]>('SELECT * FROM history WHERE destination = ? AND remote_id = ? ORDER BY finished_at DESC, id DESC'),
    countHistory: db.prepare<[SqlFilter], { n: number }>(`SELECT count(*) AS n FROM history WHERE ${HISTORY_FILTER}`),
    pageHistory: Object.fromEntries(
      LIBRARY_SORTS.map((sort) => [
        sort,
        db.prepare<[SqlFilter & { limit: number; offset: number }]>(
          `SELECT * FROM history WHERE ${HISTORY_FILTER} ORDER BY ${HISTORY_ORDER[sort]} LIMIT @limit OFFSET @offset`,
        ),
      ]),
    ) as Record<LibrarySort, Database.Statement<[SqlFilter & { limit: number; offset: number }]>>,
    // The rank of a few entries in the filtered order: one pass over the matching rows, no paging.
    positions: Object.fromEntries(
      LIBRARY_SORTS.map((sort) => [
        sort,
        db.prepare<[SqlFilter & { ids: string }], { job_id: string; pos: number }>(
          `SELECT job_id, pos FROM (SELECT job_id, ROW_NUMBER() OVER (ORDER BY ${HISTORY_ORDER[sort]}) - 1 AS pos FROM history WHERE ${HISTORY_FILTER}) WHERE job_id IN (SELECT value FROM json_each(@ids)) ORDER BY pos`,
        ),
      ]),
    ) as Record<LibrarySort, Database.Statement<[SqlFilter & { ids: string }], { job_id: string; pos: number }>>,
    folders: db.prepare<[], { folder: string; n: number }>(
      'SELECT ferry_folder_of(relative_path) AS folder, count(*) AS n FROM history WHERE relative_path IS NOT NULL GROUP BY folder HAVING folder IS NOT NULL',
    ),
    getHistory: db.prepare<[string]>('SELECT * FROM history WHERE job_id = ?'),
    deleteHistory: db.prepare('DELETE FROM history WHERE job_id = ?'),
  };
}

class SqliteJournal implements Journal {
  readonly status: JournalStatus;
  readonly history: UploadHistory;
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #s: ReturnType<typeof prepareStatements>;
  #closed = false;

  constructor(db: Database.Database, status: JournalStatus, logger: Logger, clock: Clock) {
    this.#db = db;
    this.status = status;
    this.#logger = logger;
    this.#clock = clock;
    this.#s = prepareStatements(db);
    this.history = {
      append: (entry) => this.#write('record the upload', () => this.#putHistory(entry)),
      recent: (limit) => this.#read(() => this.#s.recentHistory.all(Math.max(0, Math.floor(limit))).flatMap((r) => this.#historyRow(r))),
      findUploaded: (sha256: string, destination: DestinationKind) =>
        this.#read(() => this.#historyRow(this.#s.findHistory.get(sha256.toLowerCase(), destination))[0] ?? null),
      findByVersion: (version: string, destination: DestinationKind) =>
        this.#read(() => this.#historyRow(this.#s.findByVersion.get(version, destination))[0] ?? null),
      hasSize: (size: number, destination: DestinationKind) => this.#read(() => this.#s.hasSize.get(destination, size) !== undefined),
      query: (q: HistoryQuery) =>
        this.#read(() => {
          const filter = sqlFilter(q);
          const total = this.#s.countHistory.get(filter)?.n ?? 0;
          const page = { ...filter, limit: Math.max(0, Math.floor(q.limit)), offset: Math.max(0, Math.floor(q.offset)) };
          return { total, entries: this.#s.pageHistory[q.sort ?? 'newest'].all(page).flatMap((r) => this.#historyRow(r)) };
        }),
      positions: (q: HistoryFilter, ids: readonly string[]) =>
        this.#read(() => this.#s.positions[q.sort ?? 'newest'].all({ ...sqlFilter(q), ids: JSON.stringify(ids) }).map((r) => ({ jobId: r.job_id, index: r.pos }))),
      folders: () => this.#read(() => this.#s.folders.all().map((r) => ({ folder: r.folder, count: r.n }))),
      get: (jobId: string) => this.#read(() => this.#historyRow(this.#s.getHistory.get(jobId))[0] ?? null),
      remove: (jobId: string) => this.#write('forget the upload', () => this.#s.deleteHistory.run(jobId).changes > 0),
      sameFile: (destination: DestinationKind, remoteId: string) =>
        this.#read(() => this.#s.sameFile.all(destination, remoteId).flatMap((r) => this.#historyRow(r))),
    };
  }

  loadAll(): Job[] {
    return this.#read(() => {
      const jobs: Job[] = [];
      const bad: string[] = [];
      for (const row of this.#s.allJobs.all()) {
        const parsed = parseJobRow(row.id, row.data);
        if (parsed.ok) jobs.push(parsed.job);
        else {
          bad.push(row.id);
          this.#logger.warn('journal: dropped an invalid job row', { id: row.id, reason: parsed.reason });
        }
      }
      // Drop them for good so the warning is not repeated on every start.
      if (bad.length > 0) this.#write('drop invalid rows', () => bad.forEach((id) => this.#removeRows(id)));
      return jobs;
    });
  }

  put(job: Job): void {
    const valid = storedJobSchema.safeParse(job);
    if (!valid.success) {
      // A programming error upstream; refusing it now beats silently losing the job on next start.
      throw new FerryError(appError('internal', `Refusing to journal an invalid job: ${valid.error.issues[0]?.message ?? ''}`));
    }
    this.#write('save the job', () => this.#s.putJob.run(job.id, JSON.stringify(job), this.#clock.now()));
  }

  remove(id: string): void {
    this.#write('remove the job', () => this.#removeRows(id));
  }

  /** Nested writes become savepoints of this one transaction: one disk sync for the lot. */
  batch<T>(fn: () => T): T {
    return this.#write('save a batch of jobs', fn);
  }

  checkpoint(jobId: string): UploadCheckpoint {
    return {
      load: () =>
        this.#read(() => {
          const row = this.#s.getCheckpoint.get(jobId);
          if (!row) return undefined;
          try {
            return JSON.parse(row.state) as unknown;
          } catch {
            this.#logger.warn('journal: unreadable checkpoint ignored', { jobId });
            return undefined;
          }
        }),
      save: (state) => {
        const text = JSON.stringify(state) as string | undefined;
        if (text === undefined) return this.#write('clear the checkpoint', () => this.#s.deleteCheckpoint.run(jobId));
        this.#write('save the checkpoint', () => this.#s.putCheckpoint.run(jobId, text, this.#clock.now()));
      },
      clear: () => this.#write('clear the checkpoint', () => this.#s.deleteCheckpoint.run(jobId)),
    };
  }

  commitDone(job: Job, entry: UploadHistoryEntry): void {
    const valid = storedJobSchema.safeParse(job);
    if (!valid.success) throw new FerryError(appError('internal', 'Refusing to journal an invalid job.'));
    this.#write('record the upload', () => {
      this.#s.putJob.run(job.id, JSON.stringify(job), this.#clock.now());
      this.#s.deleteCheckpoint.run(job.id);
      this.#putHistory(entry);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #putHistory(e: UploadHistoryEntry): void {
    const row = historyRowOf(e);
    if (!parseHistoryRow(row)) throw new FerryError(appError('internal', 'Refusing to journal an invalid history entry.'));
    this.#s.putHistory.run(row);
  }

  #historyRow(row: unknown): UploadHistoryEntry[] {
    if (row === undefined) return [];
    const entry = parseHistoryRow(row);
    if (!entry) this.#logger.warn('journal: skipped an invalid history row', { id: (row as { id?: unknown }).id });
    return entry ? [entry] : [];
  }

  #removeRows(id: string): void {
    this.#s.deleteCheckpoint.run(id);
    this.#s.deleteJob.run(id);
  }

  #assertOpen(): void {
    if (this.#closed) throw new FerryError(appError('internal', 'The upload journal is closed.'));
  }

  #read<T>(fn: () => T): T {
    this.#assertOpen();
    return guarded(this.#logger, 'read', fn);
  }

  /** One transaction per logical write: it is in the WAL (synchronous=NORMAL, see open-db.ts) when this returns. */
  #write<T>(what: string, fn: () => T): T {
    this.#assertOpen();
    return guarded(this.#logger, what, () => this.#db.transaction(fn).immediate());
  }
}
