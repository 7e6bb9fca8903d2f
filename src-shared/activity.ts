import type { JobView } from './model/job.js';
import { formatBytes } from './format-bytes.js';

/**
 * What is moving right now, over the jobs that are not finished: the numbers behind the window
 * title, the tray tooltip and the window's overall bar. Pure, so every surface says the same.
 */
export type Activity = {
  /** Jobs queued, uploading, verifying or retrying. */
  readonly activeJobs: number;
  /** Bytes of the active and paused jobs, and how many of them are sent. */
  readonly totalBytes: number;
  readonly sentBytes: number;
  /** Jobs paused (by the user or waiting for something). */
  readonly pausedJobs: number;
  /** Sum of the running uploads' speeds, bytes/s. */
  readonly speedBps: number;
  /** Nothing active and something paused by the user. */
  readonly paused: boolean;
};

const ACTIVE = new Set<JobView['status']['kind']>(['queued', 'uploading', 'verifying', 'retrying']);

/** Totals over a job list (see Activity). */
export function activityOf(jobs: readonly JobView[]): Activity {
  let activeJobs = 0;
  let totalBytes = 0;
  let sentBytes = 0;
  let speedBps = 0;
  let pausedJobs = 0;
  let userPaused = 0;
  for (const job of jobs) {
    const s = job.status;
    if (ACTIVE.has(s.kind)) activeJobs += 1;
    else if (s.kind !== 'paused') continue;
    else {
      pausedJobs += 1;
      if (s.reason === 'user') userPaused += 1;
    }
    totalBytes += job.size;
    sentBytes += Math.min(job.bytesSent, job.size);
    speedBps += job.speedBps;
  }
  return { activeJobs, pausedJobs, totalBytes, sentBytes, speedBps, paused: activeJobs === 0 && userPaused > 0 };
}

/** Whole percent of bytes sent, 0..100; floors so a running upload never reads 100 %. */
export function activityPercent(a: Pick<Activity, 'totalBytes' | 'sentBytes'>): number {
  if (!(a.totalBytes > 0)) return 0;
  return Math.min(100, Math.floor((Math.max(0, a.sentBytes) / a.totalBytes) * 100));
}

const files = (n: number): string => `${n} ${n === 1 ? 'file' : 'files'}`;

/** Tray tooltip: "Ferry" when idle, "Ferry — uploading 3 files, 42 %, 2.1 MB/s" while busy. */
export function activityTooltip(a: Activity): string {
  if (a.activeJobs <= 0 && !a.paused) return 'Ferry';
  const pct = `${activityPercent(a)} %`;
  if (a.paused) return `Ferry — paused, ${files(a.pausedJobs)}, ${pct}`;
  return `Ferry — uploading ${files(a.activeJobs)}, ${pct}${a.speedBps > 0 ? `, ${formatBytes(a.speedBps)}/s` : ''}`;
}

/** Window title, progress first so it shows in a taskbar: "42 % · uploading 3 files — Ferry". */
export function activityTitle(a: Activity): string {
  if (a.activeJobs <= 0) return a.paused ? `Paused, ${files(a.pausedJobs)}, ${activityPercent(a)} % — Ferry` : 'Ferry';
  return `${activityPercent(a)} % · uploading ${files(a.activeJobs)} — Ferry`;
}
