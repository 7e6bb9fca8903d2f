import type { EventName } from '../../src-shared/ipc/channels.js';
import type { DestinationKind, JobView } from '../../src-shared/model/job.js';
import type { Listener } from './events.js';
import type { Journal } from './journal/types.js';
import type { PathGate } from './expand-paths.js';
import type { EngineFs } from './file-system.js';
import type { Clock, JobStore, Logger, Provider } from './ports.js';
import type { Timers } from './progress.js';
import type { RetryPolicy } from './retry.js';
import type { MoveTarget } from './scheduler.js';

/** What createEngine needs. Everything with I/O or time is a port. */
export type EngineDeps = {
  readonly providers: Partial<Record<DestinationKind, Provider>>;
  readonly store: JobStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly defaultDestination: DestinationKind;
  /** Files uploading at once (default 2). */
  readonly fileConcurrency?: number;
  readonly retry?: RetryPolicy;
  /** Minimum gap between progress pushes in ms (default 100, i.e. ≤ 10 a second). */
  readonly progressIntervalMs?: number;
  /** How long a file that changed mid-upload must stay unchanged before it is re-queued (ms). */
  readonly settleMs?: number;
  /** File-system seam (default node:fs); tests inject EACCES here. */
  readonly fs?: EngineFs;
  /** Timer seam for retry waits and progress coalescing (default global timers, unref'd). */
  readonly timers?: Timers;
  /** Jitter source for retry delays (default Math.random). */
  readonly random?: () => number;
};

/** A file the host already has on disk, e.g. bytes streamed in by the web host. */
export type StagedFile = {
  readonly path: string;
  /** Relative path to show and keep (`/` separators), or null for a single file. */
  readonly relativePath: string | null;
  /** Original file name when it differs from the staged path's base name. */
  readonly name?: string;
};

export type AddResult = { jobIds: string[]; skipped: { path: string; reason: string }[] };

/** Where added files come from. Without a `batchId` each call is a batch of its own. */
export type AddOptions = {
  /** Jobs with the same id show as one batch (a drop streamed file by file, a watch-folder burst). */
  readonly batchId?: string;
  /** The watch folder queuing these files. */
  readonly watchFolderId?: string;
};

/** The upload engine as hosts see it. Commands on unknown ids throw FerryError(not_found). */
export type Engine = {
  /**
   * Queues files and (recursively) directories; missing paths come back in `skipped`, and so do
   * paths whose real location `gate` refuses (logged).
   */
  addPaths(paths: string[], destination?: DestinationKind, opts?: AddOptions & { readonly gate?: PathGate }): Promise<AddResult>;
  /** Queues files the host staged itself, keeping the given relative paths. */
  addStaged(files: StagedFile[], destination?: DestinationKind, opts?: AddOptions): Promise<AddResult>;
  pause(id: string): void;
  resume(id: string): void;
  cancel(id: string): void;
  /** A failed or canceled job starts over; one waiting out a retry (the engine's or the provider's) tries again now. */
  retry(id: string): void;
  /** A `duplicate` job uploads after all (skipping the duplicate check). */
  uploadAnyway(id: string): void;
  /** Changes which waiting job starts next; running jobs are not affected. */
  move(id: string, to: MoveTarget): void;
  /** Files uploading at once (1–16); running uploads are not stopped when it drops. */
  setFileConcurrency(n: number): void;
  /** Adds, replaces or (null) removes a destination; attempts already running keep the old one. */
  setProvider(kind: DestinationKind, provider: Provider | null): void;
  /** Configured and current file concurrency (current is lower for a while after a 429). */
  concurrency(): { target: number; current: number };
  pauseAll(): void;
  resumeAll(): void;
  /** Removes done, failed and canceled jobs; emits `jobs:removed`. */
  clearFinished(): void;
  list(): JobView[];
  get(id: string): JobView | undefined;
  on<E extends EventName>(name: E, listener: Listener<E>): () => void;
  /** Resolves once no job is queued, uploading, verifying or retrying. */
  whenIdle(): Promise<void>;
  /** Aborts running attempts (their jobs stay resumable in the store) and stops timers. */
  close(): Promise<void>;
};

/** The store as a Journal when it is one (history + commitDone), else null: feature detection. */
export function asJournal(store: JobStore): Journal | null {
  const j = store as Partial<Journal>;
  return typeof j.commitDone === 'function' && typeof j.history?.findUploaded === 'function' ? (store as Journal) : null;
}
