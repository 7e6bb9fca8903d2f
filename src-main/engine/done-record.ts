import { lookup } from 'mime-types';
import type { Job, UploadResult } from '../../src-shared/model/job.js';
import type { UploadedContent } from './attempt.js';
import { entryName } from './journal/history-name.js';
import type { Journal, UploadHistoryEntry } from './journal/types.js';
import type { JobStore } from './ports.js';

/**
 * How a job's `done` state is written. With a journal and the stored content's key, the job, its history entry
 * (the dedupe index) and the dropped checkpoint are one transaction (commitDone); a kill before
 * it leaves the checkpoint, so the restart re-sends only the idempotent complete. Without them,
 * the job is stored and then its checkpoint cleared.
 */
export function donePersister(
  store: JobStore,
  journal: Journal | null,
  result: UploadResult,
  content: UploadedContent | null,
  finishedAt: number,
): (job: Job) => void {
  return (job) => {
    if (!journal || !content) {
      store.put(job);
      store.checkpoint(job.id).clear();
      return;
    }
    journal.commitDone(job, {
      jobId: job.id,
      destination: job.destination,
      sourcePath: job.sourcePath,
      size: content.size,
      sha256: content.key,
      url: result.url,
      remoteId: result.remoteId,
      finishedAt,
      relativePath: job.relativePath,
      mimetype: storedType(result.mimetype, job.name),
      ...(content.version !== null ? { sourceVersion: content.version } : {}),
    });
  };
}

/**
 * How a job found to be a `duplicate` is written. The same bytes dropped under a name the Library
 * does not hold yet for that remote file are recorded under that name too, pointing at the same
 * link (no second copy), in the same transaction as the job's new state; a name already there
 * (the same file dropped again) only stores the job. `existing` is whatever the dedupe lookup
 * (`findUploaded`) returned, so this follows the dedupe key wherever it comes from.
 */
export function duplicatePersister(store: JobStore, journal: Journal | null, existing: UploadHistoryEntry, finishedAt: number, version: string | null = null): (job: Job) => void {
  return (job) => {
    if (!journal) return store.put(job);
    const shownAs = (e: { name?: string; sourcePath: string; relativePath?: string | null }) => e.relativePath ?? entryName(e);
    const wanted = shownAs({ sourcePath: job.sourcePath, relativePath: job.relativePath });
    if (journal.history.sameFile(existing.destination, existing.remoteId).some((e) => shownAs(e) === wanted)) return store.put(job);
    // Point at the original upload, not at another duplicate of it.
    const original = existing.origin === 'duplicate' && existing.sourceId ? existing.sourceId : existing.jobId;
    journal.commitDone(job, {
      ...existing,
      jobId: job.id,
      sourcePath: job.sourcePath,
      // Shown like an upload: the source's own name (an earlier duplicate's name must not carry over).
      name: undefined,
      relativePath: job.relativePath,
      finishedAt,
      origin: 'duplicate',
      sourceId: original,
      // This file's own version, so dropping it again is known without reading it.
      sourceVersion: version ?? undefined,
    });
  };
}

/** The stored file's type for the Library: what the service reported, unless generic; else a guess from the name. */
export function storedType(reported: string | undefined, name: string): string | undefined {
  if (reported && reported !== 'application/octet-stream') return reported;
  return lookup(name) || reported || undefined;
}
