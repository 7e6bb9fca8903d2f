import path from 'node:path';
import type { WatchFolder } from '../../src-shared/ipc/channels.js';
import type { DestinationKind, JobView } from '../../src-shared/model/job.js';
import { sanitizeRelativePath } from '../engine/name-sanitize.js';
import type { Logger } from '../engine/ports.js';
import type { Engine, StagedFile } from '../engine/types.js';
import { applyAfterUpload } from './after-upload.js';
import { inodeKey } from './decide.js';
import type { Ledger } from './ledger.js';
import type { StableFacts } from './stability.js';

/** A settled file the ledger could not place: it goes to the engine. */
export type UploadRequest = {
  readonly folder: WatchFolder;
  readonly facts: StableFacts;
  readonly sha256: string;
  /** The engine's content key of the bytes (content-key.ts): what a done job's result records. */
  readonly contentKey: string;
  readonly remotePath: string;
};

export type IntakeOptions = {
  readonly engine: Engine;
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** Files per engine call; one call per file would make a 100k catch-up pay 100k round trips. */
  readonly batchSize?: number;
  readonly batchDelayMs?: number;
  readonly onUploaded: (req: UploadRequest) => void;
  readonly onProblem: (folderId: string, path: string, message: string) => void;
  /** The file is no longer in flight (uploaded, failed or refused). */
  readonly onSettled: (req: UploadRequest) => void;
};

/** Hands files to the engine in batches and follows their jobs to a verified end. */
export type Intake = {
  submit(req: UploadRequest): void;
  /** Requests of a folder that are buffered, uploading or running their after-upload action. */
  pending(folderId: string): number;
  /** True while `path` has a job that has not ended. */
  busy(path: string): boolean;
  /** (folder, dev, ino) → path for files in flight, so an alias is not uploaded twice. */
  readonly inFlightInodes: ReadonlyMap<string, string>;
  close(): void;
};

const ACTIVE = new Set(['queued', 'uploading', 'verifying', 'retrying', 'paused']);
/** Quiet time after which a folder's next files start a new batch. */
const BURST_GAP_MS = 10_000;

/**
 * Batches settled files into `engine.addStaged` calls (per destination), then matches the job
 * ids it gets back against `jobs:updated`. Only a job that reaches `done` is recorded in the
 * ledger and gets its after-upload action; `duplicate` (the same bytes were already verified
 * at this destination) is recorded but never moved or deleted. Jobs left by a previous launch
 * under the same remote path are adopted instead of queued again (no double upload on restart).
 */
export function createIntake(opts: IntakeOptions): Intake {
  const { engine, ledger, logger } = opts;
  const batchSize = opts.batchSize ?? 200;
  const batchDelayMs = opts.batchDelayMs ?? 50;
  const buffers = new Map<DestinationKind, UploadRequest[]>();
  const byJob = new Map<string, UploadRequest>();
  const byPath = new Map<string, string>();
  const inodes = new Map<string, string>();
  const perFolder = new Map<string, number>();
  const earlier = adoptionIndex(engine.list());
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const count = (folderId: string, delta: number) => perFolder.set(folderId, (perFolder.get(folderId) ?? 0) + delta);
  const keyOf = (dest: DestinationKind, remotePath: string) => `${dest}\0${sanitizeRelativePath(remotePath) ?? ''}`;

  function release(req: UploadRequest, jobId: string | null): void {
    if (jobId !== null) byJob.delete(jobId);
    byPath.delete(req.facts.path);
    inodes.delete(inodeKey(req.folder.id, req.facts.dev, req.facts.ino));
    count(req.folder.id, -1);
    opts.onSettled(req);
  }

  function record(req: UploadRequest, jobId: string, url: string): void {
    const { path: p, size, mtimeMs, dev, ino } = req.facts;
    ledger.record({ folderId: req.folder.id, path: p, size, mtimeMs, dev, ino, sha256: req.sha256, url, remotePath: req.remotePath, jobId, uploadedAt: Date.now() });
    opts.onUploaded(req);
  }

  function settle(req: UploadRequest, view: JobView): void {
    const s = view.status;
    if (s.kind === 'done') {
      record(req, view.id, s.result.url);
      byJob.delete(view.id);
      void applyAfterUpload(req.folder.afterUpload, req.folder.path, req.facts.path, req.facts)
        .then((outcome) => {
          if (outcome.kind === 'skipped') opts.onProblem(req.folder.id, req.facts.path, `Not ${req.folder.afterUpload.kind === 'move' ? 'moved' : 'deleted'}: ${outcome.reason}.`);
        })
        .catch((thrown: unknown) => opts.onProblem(req.folder.id, req.facts.path, `After-upload action failed: ${String(thrown)}`))
        .finally(() => release(req, view.id));
      return;
    }
    if (s.kind === 'duplicate') record(req, view.id, s.existing.url);
    else if (s.kind === 'failed') opts.onProblem(req.folder.id, req.facts.path, `Upload failed: ${s.error.message}`);
    else opts.onProblem(req.folder.id, req.facts.path, 'Upload canceled.');
    release(req, view.id);
  }

  function follow(req: UploadRequest, jobId: string): void {
    byJob.set(jobId, req);
    // The job may have ended before we learned its id (small files upload fast).
    const now = engine.get(jobId);
    if (now && !ACTIVE.has(now.status.kind)) settle(req, now);
  }

  const unsubscribe = engine.on('jobs:updated', ({ jobs }) => {
    for (const view of jobs) {
      const req = byJob.get(view.id);
      if (req && !ACTIVE.has(view.status.kind)) settle(req, view);
    }
  });

  /** A job from before this launch with the same destination and remote path. */
  function adopt(req: UploadRequest): boolean {
    const key = keyOf(req.folder.destination, req.remotePath);
    const view = earlier.get(key);
    if (!view || view.size !== req.facts.size) return false;
    earlier.delete(key);
    if (ACTIVE.has(view.status.kind)) {
      follow(req, view.id);
      return true;
    }
    if (view.status.kind === 'done' && !ledger.hasJob(view.id)) {
      // Compare what the job recorded of the bytes it sent (its content key), not the server's
      // whole-file MD5: a server that verifies by part ETags reports none, and a big upload done
      // just before a crash must be adopted so its after-upload action still runs.
      const recorded = view.status.result.contentKey;
      if (recorded !== undefined && recorded !== req.contentKey) return false;
      follow(req, view.id);
      return true;
    }
    return false;
  }

  async function flush(): Promise<void> {
    timer = null;
    for (const [dest, reqs] of [...buffers]) {
      buffers.delete(dest);
      for (let i = 0; i < reqs.length; i += batchSize) await addBatch(dest, reqs.slice(i, i + batchSize));
    }
  }

  /** Files a folder hands over within BURST_GAP_MS of each other show as one batch in the queue. */
  const bursts = new Map<string, { id: string; at: number }>();
  function burstOf(folderId: string): string {
    const now = Date.now();
    const last = bursts.get(folderId);
    const id = last && now - last.at < BURST_GAP_MS ? last.id : `watch-${folderId}-${now.toString(36)}`;
    bursts.set(folderId, { id, at: now });
    return id;
  }

  async function addBatch(dest: DestinationKind, all: UploadRequest[]): Promise<void> {
    const byFolder = new Map<string, UploadRequest[]>();
    for (const r of all) {
      const list = byFolder.get(r.folder.id);
      if (list) list.push(r);
      else byFolder.set(r.folder.id, [r]);
    }
    for (const [folderId, reqs] of byFolder) await addFolderBatch(dest, folderId, reqs);
  }

  async function addFolderBatch(dest: DestinationKind, folderId: string, reqs: UploadRequest[]): Promise<void> {
    const files: StagedFile[] = reqs.map((r) => ({ path: r.facts.path, relativePath: r.remotePath, name: path.posix.basename(r.remotePath) }));
    try {
      const result = await engine.addStaged(files, dest, { batchId: burstOf(folderId), watchFolderId: folderId });
      const refused = new Map(result.skipped.map((s) => [s.path, s.reason]));
      let next = 0;
      for (const req of reqs) {
        const reason = refused.get(req.facts.path);
        const jobId = reason === undefined ? result.jobIds[next++] : undefined;
        if (jobId !== undefined) follow(req, jobId);
        else {
          opts.onProblem(req.folder.id, req.facts.path, `Not queued: ${reason ?? 'refused'}`);
          release(req, null);
        }
      }
    } catch (thrown) {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      logger.warn('watch: engine refused a batch', { destination: dest, files: reqs.length, message });
      for (const req of reqs) {
        opts.onProblem(req.folder.id, req.facts.path, `Not queued: ${message}`);
        release(req, null);
      }
    }
  }

  return {
    submit(req) {
      if (closed) return;
      byPath.set(req.facts.path, '');
      inodes.set(inodeKey(req.folder.id, req.facts.dev, req.facts.ino), req.facts.path);
      count(req.folder.id, 1);
      if (adopt(req)) return;
      const list = buffers.get(req.folder.destination) ?? [];
      list.push(req);
      buffers.set(req.folder.destination, list);
      if (list.length >= batchSize) {
        if (timer !== null) clearTimeout(timer);
        void flush();
      } else timer ??= setTimeout(() => void flush(), batchDelayMs);
    },
    pending: (folderId) => perFolder.get(folderId) ?? 0,
    busy: (p) => byPath.has(p),
    inFlightInodes: inodes,
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      unsubscribe();
    },
  };
}

/** Jobs of an earlier launch by (destination, remote path): the unfinished and the done. */
function adoptionIndex(views: readonly JobView[]): Map<string, JobView> {
  const index = new Map<string, JobView>();
  for (const view of views) {
    if (view.relativePath === null) continue;
    if (ACTIVE.has(view.status.kind) || view.status.kind === 'done') index.set(`${view.destination}\0${view.relativePath}`, view);
  }
  return index;
}
