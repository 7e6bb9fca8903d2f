import type { AppError } from '../../src-shared/errors.js';
import type { DestinationKind, Job, UploadResult } from '../../src-shared/model/job.js';

/**
 * Ports the engine depends on. The composition root (hosts/compose.ts) supplies real
 * implementations; tests supply real ones too (local cloud, temp dirs), never stubs of our own
 * logic, except the Clock where a test needs to control time.
 */

/** Wall clock in epoch ms. Injected so the state machine and progress math stay testable. */
export interface Clock {
  now(): number;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The file a job uploads. Providers read it by range; they never load it whole (see `bytes`). */
export type UploadSource = {
  readonly path: string;
  /** Remote file name (already sanitised). */
  readonly name: string;
  /** Path relative to the dropped folder with `/` separators, or null. */
  readonly relativePath: string | null;
  readonly size: number;
  readonly mimetype: string;
  /**
   * The whole file, when the engine already read it (small files, engine/whole-read.ts): these
   * are the bytes to send, of one version, so a provider need not open the file again. Optional
   * to use: a provider that ignores it reads the file at `path` as usual.
   */
  readonly bytes?: Buffer;
};

/**
 * Provider-specific resumable state (e.g. a multipart session and its confirmed parts), stored
 * by the engine's journal per job. Providers validate what `load()` returns: it may be from an
 * older version or corrupt.
 */
export interface UploadCheckpoint {
  load(): unknown;
  save(state: unknown): void;
  clear(): void;
}

/**
 * Collects the MD5 of each `blockSize` block of the source as a provider reads it for upload,
 * so the engine's content key (engine/content-key.ts) costs no extra pass over the file. A
 * provider that reads in other sizes (or not every block) just does not call it.
 */
export interface ContentKeyFeed {
  /** Bytes per block; every block but the last is this long. */
  readonly blockSize: number;
  /** The MD5 (base64) of block `index` (0-based) as read and sent. */
  add(index: number, md5Base64: string): void;
}

export type UploadContext = {
  readonly signal: AbortSignal;
  /** Total bytes of this file acknowledged or in flight; monotonic within one attempt. */
  readonly onProgress: (bytesSent: number) => void;
  readonly checkpoint: UploadCheckpoint;
  /** Where a provider may report block MD5s of what it sent (see ContentKeyFeed). */
  readonly contentKey?: ContentKeyFeed;
  /**
   * A request failed and the provider will retry it itself at `retryAt` (epoch ms) within this
   * attempt. Optional for providers; the engine shows the cause on the job at once.
   */
  readonly onTrouble?: (error: AppError, retryAt: number) => void;
};

/** One upload service. `upload` resolves only after the provider has verified the stored object. */
export interface Provider {
  readonly kind: DestinationKind;
  upload(source: UploadSource, ctx: UploadContext): Promise<UploadResult>;
}

/**
 * Durable job list. Synchronous on purpose: a write returns only once it survives the process
 * being killed (the SQLite journal: WAL, synchronous=NORMAL; a power cut may lose the last steps).
 */
export interface JobStore {
  loadAll(): Job[];
  put(job: Job): void;
  remove(id: string): void;
  checkpoint(jobId: string): UploadCheckpoint;
  /**
   * Runs `fn` with all its writes in one durable transaction. Optional: adding 10,000 dropped
   * files would otherwise cost 10,000 separate disk syncs.
   */
  batch?<T>(fn: () => T): T;
}
