import type { DestinationKind, JobView } from '../../src-shared/model/job.js';
import type { LinkFormat, TrayState } from './tray-model.js';

/** Tray choices the user makes in the tray itself (kept by the host). */
export type TrayPrefs = {
  readonly defaultDestination: DestinationKind;
  readonly destinations: readonly DestinationKind[];
  readonly linkFormat: LinkFormat;
  readonly watching: boolean;
};

const ACTIVE = new Set<JobView['status']['kind']>(['queued', 'uploading', 'verifying', 'retrying']);

/**
 * Derives what the tray shows from the engine's job list: active counts and bytes, whether the
 * queue is paused (nothing active, something paused by the user), and the newest verified
 * uploads. Pure, so the Electron tray only renders it.
 */
export function deriveTrayState(jobs: readonly JobView[], prefs: TrayPrefs): TrayState {
  let activeJobs = 0;
  let totalBytes = 0;
  let sentBytes = 0;
  let userPaused = 0;
  const done: { id: string; name: string; url: string; at: number }[] = [];
  for (const job of jobs) {
    const s = job.status;
    if (ACTIVE.has(s.kind)) {
      activeJobs += 1;
      totalBytes += job.size;
      sentBytes += job.bytesSent;
    } else if (s.kind === 'paused') {
      totalBytes += job.size;
      sentBytes += job.bytesSent;
      if (s.reason === 'user') userPaused += 1;
    } else if (s.kind === 'done') {
      done.push({ id: job.id, name: job.name, url: s.result.url, at: s.verifiedAt });
    }
  }
  done.sort((a, b) => b.at - a.at);
  return {
    activeJobs,
    totalBytes,
    sentBytes,
    paused: activeJobs === 0 && userPaused > 0,
    recent: done.map(({ id, name, url }) => ({ id, name, url })),
    ...prefs,
  };
}
