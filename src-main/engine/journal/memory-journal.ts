import { appError, FerryError } from '../../../src-shared/errors.js';
import type { DestinationKind, Job } from '../../../src-shared/model/job.js';
import type { Logger, UploadCheckpoint } from '../ports.js';
import { mimeMatchesType, type LibrarySort } from '../../../src-shared/model/library.js';
import { entryMatches, entrySortName, folderOfPath, inFolder } from './history-name.js';
import { historyRowOf, parseHistoryRow, storedJobSchema } from './row-schemas.js';
import type { HistoryFilter, Journal, JournalStatus, UploadHistoryEntry } from './types.js';

/** The Library's filter, as the SQLite journal's HISTORY_FILTER applies it. */
function matches(e: UploadHistoryEntry, q: HistoryFilter): boolean {
  return (
    (q.destination === undefined || e.destination === q.destination) &&
    (!q.text || entryMatches(e, q.text)) &&
    mimeMatchesType(e.mimetype, q.type) &&
    (!q.folder || inFolder(e.relativePath, q.folder)) &&
    (q.since === undefined || e.finishedAt >= q.since) &&
    (q.before === undefined || e.finishedAt < q.before) &&
    (q.minSize === undefined || e.size >= q.minSize) &&
    (q.maxSize === undefined || e.size < q.maxSize)
  );
}

/**
 * The degraded journal used when the data dir cannot hold a database. Same semantics as the
 * SQLite one (values are copied through JSON, so callers cannot mutate stored state), nothing
 * survives a restart.
 */
export function createMemoryJournal(status: JournalStatus, logger: Logger): Journal {
  const jobs = new Map<string, string>();
  const checkpoints = new Map<string, string>();
  /** By job id; `seq` breaks finishedAt ties like the SQLite rowid does. */
  const history = new Map<string, { entry: UploadHistoryEntry; seq: number }>();
  let closed = false;
  let seq = 0;

  const assertOpen = (): void => {
    if (closed) throw new FerryError(appError('internal', 'The upload journal is closed.'));
  };
  const validJob = (job: Job): string => {
    if (!storedJobSchema.safeParse(job).success) throw new FerryError(appError('internal', 'Refusing to journal an invalid job.'));
    return JSON.stringify(job);
  };
  const appendHistory = (e: UploadHistoryEntry): void => {
    const entry = parseHistoryRow(historyRowOf(e));
    if (!entry) throw new FerryError(appError('internal', 'Refusing to journal an invalid history entry.'));
    history.set(e.jobId, { entry, seq: seq++ });
  };
  const newestFirst = (filter: (e: UploadHistoryEntry) => boolean, sort: LibrarySort = 'newest'): UploadHistoryEntry[] =>
    [...history.values()]
      .filter((h) => filter(h.entry))
      .sort((a, b) => sortKey(sort, a, b) || b.entry.finishedAt - a.entry.finishedAt || b.seq - a.seq)
      .map((h) => h.entry);

  return {
    status,
    history: {
      append: (entry) => {
        assertOpen();
        appendHistory(entry);
      },
      recent: (limit) => {
        assertOpen();
        return newestFirst(() => true).slice(0, Math.max(0, Math.floor(limit)));
      },
      findUploaded: (sha256: string, destination: DestinationKind) => {
        assertOpen();
        const hash = sha256.toLowerCase();
        if (hash === '') return null;
        return newestFirst((e) => e.sha256 === hash && e.destination === destination)[0] ?? null;
      },
      findByVersion: (version: string, destination: DestinationKind) => {
        assertOpen();
        return newestFirst((e) => e.sourceVersion === version && e.destination === destination)[0] ?? null;
      },
      hasSize: (size: number, destination: DestinationKind) => {
        assertOpen();
        return [...history.values()].some((h) => h.entry.size === size && h.entry.destination === destination);
      },
      query: (q) => {
        assertOpen();
        const all = newestFirst((e) => matches(e, q), q.sort);
        const offset = Math.max(0, Math.floor(q.offset));
        return { total: all.length, entries: all.slice(offset, offset + Math.max(0, Math.floor(q.limit))) };
      },
      positions: (q, ids) => {
        assertOpen();
        const wanted = new Set(ids);
        return newestFirst((e) => matches(e, q), q.sort).flatMap((e, index) => (wanted.has(e.jobId) ? [{ jobId: e.jobId, index }] : []));
      },
      folders: () => {
        assertOpen();
        const counts = new Map<string, number>();
        for (const { entry } of history.values()) {
          const folder = folderOfPath(entry.relativePath);
          if (folder) counts.set(folder, (counts.get(folder) ?? 0) + 1);
        }
        return [...counts].map(([folder, count]) => ({ folder, count }));
      },
      get: (jobId) => {
        assertOpen();
        return history.get(jobId)?.entry ?? null;
      },
      remove: (jobId) => {
        assertOpen();
        return history.delete(jobId);
      },
      sameFile: (destination, remoteId) => {
        assertOpen();
        return newestFirst((e) => e.destination === destination && e.remoteId === remoteId);
      },
    },
    loadAll: () => {
      assertOpen();
      return [...jobs.values()].map((text) => JSON.parse(text) as Job);
    },
    put: (job) => {
      assertOpen();
      jobs.set(job.id, validJob(job));
    },
    remove: (id) => {
      assertOpen();
      jobs.delete(id);
      checkpoints.delete(id);
    },
    checkpoint: (jobId): UploadCheckpoint => ({
      load: () => {
        assertOpen();
        const text = checkpoints.get(jobId);
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      },
      save: (state) => {
        assertOpen();
        const text = JSON.stringify(state) as string | undefined;
        if (text === undefined) checkpoints.delete(jobId);
        else checkpoints.set(jobId, text);
      },
      clear: () => {
        assertOpen();
        checkpoints.delete(jobId);
      },
    }),
    commitDone: (job, entry) => {
      assertOpen();
      const text = validJob(job);
      jobs.set(job.id, text);
      checkpoints.delete(job.id);
      appendHistory(entry);
    },
    close: () => {
      if (!closed) logger.info('journal: in-memory journal closed; its contents are gone');
      closed = true;
    },
  };
}

type Held = { readonly entry: UploadHistoryEntry; readonly seq: number };

/** The sort's own key, as the SQLite journal's ORDER BY has it; 0 leaves ties to newest first. */
function sortKey(sort: LibrarySort, a: Held, b: Held): number {
  switch (sort) {
    case 'newest':
      return 0;
    case 'oldest':
      return a.entry.finishedAt - b.entry.finishedAt || a.seq - b.seq;
    case 'largest':
      return b.entry.size - a.entry.size;
    case 'smallest':
      return a.entry.size - b.entry.size;
    case 'name': {
      // Code-unit order, like SQLite's BINARY collation of the same lower-cased key.
      const x = entrySortName(a.entry);
      const y = entrySortName(b.entry);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
