import type { MediaJob } from '../../src-shared/ipc/channels.js';

/** A notification for an A/V conversion that reached its end; `jobId` is the media job a click opens. */
export type MediaNotice = { readonly kind: 'av-ready' | 'av-failed'; readonly title: string; readonly body: string; readonly jobId: string };

/**
 * Turns `media:updated` snapshots into one notice per conversion that became `completed` or
 * `failed`, once: repeat snapshots stay quiet. Media jobs live as long as the main process, like
 * this tracker, so a job first seen already finished (a fast conversion) still notifies.
 */
export function createMediaNoticeTracker(): { update(jobs: readonly MediaJob[]): MediaNotice[] } {
  const last = new Map<string, MediaJob['status']>();
  return {
    update(jobs) {
      const out: MediaNotice[] = [];
      for (const job of jobs) {
        const before = last.get(job.id);
        last.set(job.id, job.status);
        if (before === job.status || before === 'completed' || before === 'failed') continue;
        if (job.status === 'completed') {
          out.push({ kind: 'av-ready', title: `${job.sourceName} converted (${job.preset})`, body: job.url ?? 'The converted file is ready.', jobId: job.id });
        } else if (job.status === 'failed') {
          out.push({ kind: 'av-failed', title: `Converting ${job.sourceName} failed`, body: job.error?.message ?? 'The conversion failed.', jobId: job.id });
        }
      }
      return out;
    },
  };
}
