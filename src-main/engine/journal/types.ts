import type { AppError } from '../../../src-shared/errors.js';
import type { DestinationKind, Job } from '../../../src-shared/model/job.js';
import type { LibrarySort, LibraryType, MadeKind } from '../../../src-shared/model/library.js';
import type { JobStore } from '../ports.js';

/** One verified upload, kept for the history view and for content-hash de-duplication. */
export type UploadHistoryEntry = {
  readonly jobId: string;
  readonly destination: DestinationKind;
  readonly sourcePath: string;
  /** Bytes uploaded. */
  readonly size: number;
  /**
   * The content key of the uploaded bytes (engine/content-key.ts: 64 lowercase hex characters);
   * '' when unknown (files Ferry made remotely: never a dedupe match). Entries written before the
   * content key existed hold the plain SHA-256 of the bytes.
   */
  readonly sha256: string;
  readonly url: string;
  /** Filestack handle or ImageKit fileId. */
  readonly remoteId: string;
  /** Epoch ms. */
  readonly finishedAt: number;
  /** Display name when it is not the last segment of `sourcePath` (files Ferry made have no local source). */
  readonly name?: string;
  /** Path inside a dropped folder (`/` separators), e.g. `trip/day1/a.jpg`; absent for a single file. */
  readonly relativePath?: string | null;
  /** MIME type of the stored file; absent in rows older than schema 2 that had no guess. */
  readonly mimetype?: string;
  /** How Ferry made this entry; absent for a plain upload. Always set together with `sourceId`. */
  readonly origin?: MadeKind;
  /** Library id (job id) of the entry this one was made from (for a duplicate: the original upload). */
  readonly sourceId?: string;
  /**
   * The source file's version when it was uploaded (content-key.ts versionKey: dev:ino:size:mtimeNs),
   * so dropping the very same file again is recognised without reading it. Absent when unknown.
   */
  readonly sourceVersion?: string;
};

/** Completed uploads. At most one entry per job id: appending again replaces it. */
export interface UploadHistory {
  append(entry: UploadHistoryEntry): void;
  /** Newest first (by finishedAt), at most `limit` entries. */
  recent(limit: number): UploadHistoryEntry[];
  /** The newest upload of these exact bytes (by content key) to this destination, or null. */
  findUploaded(sha256: string, destination: DestinationKind): UploadHistoryEntry | null;
  /** The newest upload of this very file version (sourceVersion) to this destination, or null. */
  findByVersion(version: string, destination: DestinationKind): UploadHistoryEntry | null;
  /** Whether anything of exactly `size` bytes was uploaded to this destination (only then can a file be a duplicate). */
  hasSize(size: number, destination: DestinationKind): boolean;
  /** One page of the history, in `q.sort` order (newest first by default), with the total count of matching entries. */
  query(q: HistoryQuery): HistoryPage;
  /**
   * Where these entries sit (0-based) among every entry matching `q`, in `q.sort` order; ids that
   * do not match (or are unknown) are left out. Lets an open Library place new entries.
   */
  positions(q: HistoryFilter, ids: readonly string[]): { readonly jobId: string; readonly index: number }[];
  /** Each folder (`trip/day1/`) that entries sit directly in, with how many do. */
  folders(): { readonly folder: string; readonly count: number }[];
  /** The entry of this job, or null. */
  get(jobId: string): UploadHistoryEntry | null;
  /** Forgets a job's entry (the remote file was deleted); true when there was one. */
  remove(jobId: string): boolean;
  /** Every entry pointing at this remote file (an upload and the names it was dropped under again), newest first. */
  sameFile(destination: DestinationKind, remoteId: string): UploadHistoryEntry[];
}

/** Filters and order of {@link UploadHistory.query} and {@link UploadHistory.positions}. */
export type HistoryFilter = {
  /** Case-insensitive substring of the file name or of its folder path (`relativePath`). */
  readonly text?: string;
  readonly destination?: DestinationKind;
  /** Only entries of this type (by MIME type). */
  readonly type?: LibraryType;
  /** Only entries inside this dropped-folder path (`trip/` or `trip/day1/`, ending in `/`), at any depth. */
  readonly folder?: string;
  /** Finished at or after this epoch ms. */
  readonly since?: number;
  /** Finished before this epoch ms. */
  readonly before?: number;
  /** At least this many bytes. */
  readonly minSize?: number;
  /** Fewer than this many bytes. */
  readonly maxSize?: number;
  /** Order of the page; `newest` when absent. Ties fall back to newest first, so pages are stable. */
  readonly sort?: LibrarySort;
};

/** Filters, order and page of {@link UploadHistory.query}. */
export type HistoryQuery = HistoryFilter & {
  readonly limit: number;
  readonly offset: number;
};

/** A page of history entries; `total` counts every match, not only this page. */
export type HistoryPage = { readonly total: number; readonly entries: UploadHistoryEntry[] };

/**
 * Whether the journal is durable. `memory` means nothing survives a restart; `error` says why
 * (the UI shows it). `recovered` reports a bad file that was moved aside at startup.
 */
export type JournalStatus =
  | {
      readonly mode: 'sqlite';
      readonly path: string;
      readonly recovered: { readonly movedTo: string; readonly error: AppError } | null;
    }
  | { readonly mode: 'memory'; readonly error: AppError };

/** The engine's durable store: jobs, per-job upload checkpoints and upload history. */
export interface Journal extends JobStore {
  readonly history: UploadHistory;
  readonly status: JournalStatus;
  /**
   * Records a verified upload in one transaction: stores the job (normally in `done`), appends
   * the history entry and drops the job's checkpoint, so a crash can never leave the upload
   * "done" without history or vice versa.
   */
  commitDone(job: Job, entry: UploadHistoryEntry): void;
  close(): void;
}
