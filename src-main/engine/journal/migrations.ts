import type Database from 'better-sqlite3';
import { lookup } from 'mime-types';
import { historyName } from './history-name.js';

/**
 * Journal schema and its migrations. `PRAGMA application_id` marks the file as Ferry's and
 * `PRAGMA user_version` is the schema version; both live in the SQLite header and change in the
 * same transaction as the migration step, so a crash mid-migration leaves the old version.
 */

/** "FRRY" as a 32-bit big-endian integer. */
export const APPLICATION_ID = 0x46525259;

type Migration = { readonly to: number; readonly description: string; readonly up: (db: Database.Database) => void };

/** Step i migrates from version i to i + 1. Only ever append; never edit a shipped step. */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    description: 'jobs, checkpoints, history',
    up: (db) => {
      db.exec(`
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY NOT NULL,
          data TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE checkpoints (
          job_id TEXT PRIMARY KEY NOT NULL,
          state TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE history (
          id INTEGER PRIMARY KEY,
          job_id TEXT NOT NULL UNIQUE,
          destination TEXT NOT NULL,
          source_path TEXT NOT NULL,
          size INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          url TEXT NOT NULL,
          remote_id TEXT NOT NULL,
          finished_at INTEGER NOT NULL
        );
        CREATE INDEX history_by_content ON history (sha256, destination, finished_at);
        CREATE INDEX history_by_time ON history (finished_at);
      `);
    },
  },
  {
    to: 2,
    description: 'history: the Library as the hub (name, folder path, type, made-from link)',
    up: (db) => {
      db.exec(`
        ALTER TABLE history ADD COLUMN name TEXT;
        ALTER TABLE history ADD COLUMN relative_path TEXT;
        ALTER TABLE history ADD COLUMN mimetype TEXT;
        ALTER TABLE history ADD COLUMN origin TEXT;
        ALTER TABLE history ADD COLUMN source_id TEXT;
        CREATE INDEX history_by_remote ON history (destination, remote_id);
      `);
      // Older rows kept no type; the type filters need one, and the name is all there is to go on.
      const rows = db.prepare<[], { id: number; source_path: string }>('SELECT id, source_path FROM history').all();
      const set = db.prepare('UPDATE history SET mimetype = ? WHERE id = ?');
      for (const row of rows) {
        const type = lookup(historyName(row.source_path));
        if (type !== false) set.run(type, row.id);
      }
    },
  },
  {
    to: 3,
    description: 'history: source file version and size lookups for the dedupe pre-check',
    up: (db) => {
      db.exec(`
        ALTER TABLE history ADD COLUMN source_version TEXT;
        CREATE INDEX history_by_version ON history (source_version, destination);
        CREATE INDEX history_by_size ON history (destination, size);
      `);
    },
  },
];

/** The version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Tables and columns the current code relies on; checked after migrating. */
const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  jobs: ['id', 'data', 'updated_at'],
  checkpoints: ['job_id', 'state', 'updated_at'],
  history: ['id', 'job_id', 'destination', 'source_path', 'size', 'sha256', 'url', 'remote_id', 'finished_at', 'name', 'relative_path', 'mimetype', 'origin', 'source_id', 'source_version'],
};

/** The file is SQLite but not a journal this build can use (foreign app, unknown version). */
export class ForeignSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignSchemaError';
  }
}

/**
 * Reads the schema version without writing anything: 0 for a brand-new empty file, else the
 * Ferry journal version. Throws ForeignSchemaError for another app's file or a newer build's.
 */
export function inspectSchema(db: Database.Database): number {
  const appId = Number(db.pragma('application_id', { simple: true }));
  const version = Number(db.pragma('user_version', { simple: true }));
  const objects = Number((db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n);
  if (appId === 0 && version === 0 && objects === 0) return 0;
  if (appId !== APPLICATION_ID) throw new ForeignSchemaError(`not a Ferry journal (application_id ${appId})`);
  if (version < 1 || version > SCHEMA_VERSION) {
    throw new ForeignSchemaError(`unknown journal schema version ${version} (this build knows 1..${SCHEMA_VERSION})`);
  }
  return version;
}

/** Brings an opened database to SCHEMA_VERSION, or throws ForeignSchemaError (see inspectSchema). */
export function migrate(db: Database.Database): void {
  const version = inspectSchema(db);
  for (const step of MIGRATIONS) {
    if (step.to <= version) continue;
    db.transaction(() => {
      step.up(db);
      if (step.to === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${step.to}`);
    }).immediate();
  }
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const present = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
    const missing = columns.filter((c) => !present.has(c));
    if (missing.length > 0) throw new ForeignSchemaError(`table ${table} lacks ${missing.join(', ')}`);
  }
}
