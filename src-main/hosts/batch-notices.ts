import type { JobView } from '../../src-shared/model/job.js';

/** A desktop notification to show; `jobId` is what a click opens. */
export type Notice = { readonly kind: 'batch-done' | 'batch-failed'; readonly title: string; readonly body: string; readonly jobId: string | null };

const ACTIVE = new Set<JobView['status']['kind']>(['queued', 'uploading', 'verifying', 'retrying']);

/**
 * Turns a stream of job snapshots into "batch finished" notices. A batch starts when something
 * becomes active and ends when nothing is; the notice counts what finished in between, so
 * dropping 50 files gives one notification, not 50. Failures make it a failure notice that
 * points at the first failed job.
 */
export function createBatchTracker(): { update(jobs: readonly JobView[]): Notice | null } {
  let inBatch = false;
  /** Terminal state per job id when the batch started; only changes after that count. */
  let before = new Map<string, string>();
  return {
    update(jobs) {
      const active = jobs.some((j) => ACTIVE.has(j.status.kind));
      if (!inBatch) {
        if (active) {
          inBatch = true;
          before = new Map(jobs.map((j) => [j.id, j.status.kind]));
        }
        return null;
      }
      if (active) return null;
      inBatch = false;
      const finished = jobs.filter((j) => before.get(j.id) !== j.status.kind);
      const done = finished.filter((j) => j.status.kind === 'done');
      const failed = finished.filter((j) => j.status.kind === 'failed');
      if (done.length === 0 && failed.length === 0) return null;
      const files = (n: number): string => `${n} ${n === 1 ? 'file' : 'files'}`;
      if (failed.length > 0) {
        const first = failed[0];
        const reason = first?.status.kind === 'failed' ? first.status.error.message : '';
        return {
          kind: 'batch-failed',
          title: `${files(failed.length)} failed to upload`,
          body: done.length > 0 ? `${files(done.length)} uploaded. ${first?.name}: ${reason}` : `${first?.name}: ${reason}`,
          jobId: first?.id ?? null,
        };
      }
      const only = done.length === 1 ? done[0] : undefined;
      return {
        kind: 'batch-done',
        title: only ? `${only.name} uploaded` : `${files(done.length)} uploaded`,
        body: only && only.status.kind === 'done' ? only.status.result.url : 'Every upload was verified.',
        jobId: done[0]?.id ?? null,
      };
    },
  };
}
