import type { Job, UploadResult } from '../../src-shared/model/job.js';
import type { UploadedContent } from './attempt.js';
import type { Journal } from './journal/types.js';
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
      ...(content.version !== null ? { sourceVersion: content.version } : {}),
    });
  };
}
