import type { DestinationKind, JobStatus, JobView } from '../../src-shared/model/job.js';

export { formatBytes } from '../../src-shared/format-bytes.js';

/** Seconds as "42s", "3m 05s", "1h 02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Display name of a destination. */
export function destinationLabel(kind: DestinationKind): string {
  switch (kind) {
    case 'local':
      return 'Local cloud';
    case 'filestack':
      return 'Filestack';
    case 'imagekit':
      return 'ImageKit';
  }
}

/** The short state label users read in a row; `now` (epoch ms) drives the retry countdown. */
export function statusLabel(status: JobStatus, now: number): string {
  switch (status.kind) {
    case 'queued':
      return 'Queued';
    case 'uploading':
      return 'Uploading';
    case 'verifying':
      return 'Verifying';
    case 'retrying': {
      const secs = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
      return secs > 0 ? `Retrying in ${secs}s` : 'Retrying';
    }
    case 'paused':
      return status.reason === 'auth' ? 'Paused: sign-in needed' : status.reason === 'unstable' ? 'Paused: file changing' : 'Paused';
    case 'done':
      return 'Done';
    case 'failed':
      return 'Failed';
    case 'canceled':
      return 'Canceled';
    case 'duplicate':
      return 'Already uploaded';
  }
}

/**
 * ImageKit has no resumable upload (one request per file): a retry or resume sends the whole
 * file again. The row says so, and shows 0 % instead of the bytes the failed try had sent.
 */
export function restartsFromZero(job: Pick<JobView, 'destination' | 'status' | 'bytesSent'>): boolean {
  if (job.destination !== 'imagekit') return false;
  return job.status.kind === 'retrying' || (job.status.kind === 'paused' && job.bytesSent > 0);
}
