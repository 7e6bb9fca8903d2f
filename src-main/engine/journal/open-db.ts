import fs from 'node:fs';
import Database from 'better-sqlite3';
import { appError, type AppError } from '../../../src-shared/errors.js';
import type { Clock, Logger } from '../ports.js';
import { ForeignSchemaError, inspectSchema, migrate } from './migrations.js';
import { sqliteOptions } from './sqlite-options.js';

/** integrity_check found damage that SQLite itself did not refuse to open. */
class DamagedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DamagedFileError';
  }
}

/** SQLite result codes that mean "these bytes are not a usable database" (vs. "cannot write here"). */
const CORRUPT_CODES = /^SQLITE_(NOTADB|CORRUPT)/;
/** Errors that mean the place is not writable, as opposed to a full disk or a locked file. */
const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'SQLITE_CANTOPEN', 'SQLITE_PERM']);

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown';
}

function isCorruption(e: unknown): boolean {
  return e instanceof ForeignSchemaError || e instanceof DamagedFileError || CORRUPT_CODES.test(errorCode(e));
}

/** The typed error behind a memory fallback. */
export function unusableError(dir: string, e: unknown): AppError {
  const code = errorCode(e);
  const isPermission = PERMISSION_CODES.has(code) || code.startsWith('SQLITE_READONLY');
  const message = e instanceof Error ? e.message : String(e);
  return appError(
    isPermission ? 'permission' : 'internal',
    `Ferry cannot keep its upload journal in ${dir} (${message}); the queue will not survive a restart.`,
    { retryable: false, details: { path: dir, errno: code } },
  );
}

/**
 * Checks an existing file through a read-only connection. Read-only matters: a read-write
 * connection to a damaged file deletes its WAL on close, and the WAL may hold the newest commits
 * someone will want to rescue from the file we keep aside.
 */
function probe(file: string): void {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return;
  const db = new Database(file, sqliteOptions({ readonly: true, fileMustExist: true }));
  try {
    const verdict = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (verdict.length !== 1 || verdict[0] !== 'ok') throw new DamagedFileError(verdict.slice(0, 3).join('; '));
    inspectSchema(db);
  } finally {
    db.close();
  }
}

/** Opens, checks and migrates one file. Throws on any problem; never leaves a handle open. */
function openChecked(file: string): Database.Database {
  probe(file);
  const db = new Database(file, sqliteOptions());
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL: a commit is in the WAL (the OS has it) when put() returns, so it survives the app
    // being killed; only a power cut may lose the last commits, and then a job goes back one
    // step (a confirmed part is sent again, a finished upload completes again: idempotent).
    // FULL cost one disk sync per job step, 8 per small file.
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Renames the bad file and its WAL/SHM companions to `<file>.corrupt-<stamp>[-wal|-shm]`. */
function moveAside(file: string, clock: Clock): string {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${stamp}`;
  for (let i = 1; fs.existsSync(target); i++) target = `${file}.corrupt-${stamp}-${i}`;
  // Companions first: if the main rename then fails, SQLite will not replay a stale WAL into it.
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  if (fs.existsSync(file)) fs.renameSync(file, target);
  return target;
}

export type OpenResult =
  | { ok: true; db: Database.Database; recovered: { movedTo: string; error: AppError } | null }
  | { ok: false; error: AppError };

/**
 * Opens `<dir>/journal.db` durably. A damaged, foreign or unknown-version file is kept under a
 * new name and replaced by a fresh journal; an unusable place yields an error for the caller's
 * memory fallback. Never throws.
 */
export function openDurable(dir: string, file: string, logger: Logger, clock: Clock): OpenResult {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return { ok: true, db: openChecked(file), recovered: null };
  } catch (first) {
    if (!isCorruption(first)) return { ok: false, error: unusableError(dir, first) };
    const reason = first instanceof Error ? first.message : String(first);
    let movedTo: string;
    try {
      movedTo = moveAside(file, clock);
    } catch (e) {
      return { ok: false, error: unusableError(dir, e) };
    }
    const error = appError('integrity', `The upload journal was unreadable (${reason}); it was kept as ${movedTo} and a new one started.`, {
      retryable: false,
      details: { path: movedTo, reason: errorCode(first) },
    });
    logger.error('journal: bad journal file moved aside', { movedTo, reason, code: errorCode(first) });
    try {
      return { ok: true, db: openChecked(file), recovered: { movedTo, error } };
    } catch (second) {
      return { ok: false, error: unusableError(dir, second) };
    }
  }
}
