import type { Job, UploadResult } from '../../src-shared/model/job.js';
import type { ContentDigest } from './content-hash.js';
import type { Journal } from './journal/types.js';
import type { JobStore } from './ports.js';

/**
 * How a job's `done` state is written. With a journal and a digest, the job, its history entry
 * (the dedupe index) and the dropped checkpoint are one transaction (commitDone); a kill before
 * it leaves the checkpoint, so the restart re-sends only the idempotent complete. Without them,
 * the job is stored and then its checkpoint cleared.
 */
export function donePersister(
  store: JobStore,
  journal: Journal | null,
  result: UploadResult,
  digest: ContentDigest | null,
  finishedAt: number,
): (job: Job) => void {
  return (job) => {
    if (!journal || !digest) {
      store.put(job);
      store.checkpoint(job.id).clear();
      return;
    }
    journal.commitDone(job, {
      jobId: job.id,
      destination: job.destination,
      sourcePath: job.sourcePath,
      size: digest.size,
      sha256: digest.sha256,
      url: result.url,
      remoteId: result.remoteId,
      finishedAt,
    });
  };
}
