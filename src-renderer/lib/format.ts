import type { DestinationKind, JobStatus, JobView } from '../../src-shared/model/job.js';
import { formatBytes } from '../../src-shared/units.js';

export { formatBytes, formatDuration } from '../../src-shared/units.js';

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
      return 'Already there';
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

/** What kind of file a name suggests, for its row icon. */
export type FileKind = 'image' | 'video' | 'audio' | 'archive' | 'text' | 'other';

const KIND_BY_EXT: Record<string, FileKind> = Object.fromEntries([
  ...['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'tif', 'tiff', 'heic', 'svg', 'ico'].map((e) => [e, 'image'] as const),
  ...['mp4', 'mov', 'mkv', 'webm', 'avi', 'm4v', 'wmv'].map((e) => [e, 'video'] as const),
  ...['mp3', 'wav', 'flac', 'ogg', 'm4a', 'aac', 'opus'].map((e) => [e, 'audio'] as const),
  ...['zip', 'gz', 'tgz', 'bz2', 'xz', '7z', 'rar', 'tar', 'zst'].map((e) => [e, 'archive'] as const),
  ...['txt', 'md', 'csv', 'json', 'pdf', 'doc', 'docx', 'log', 'xml', 'html', 'ts', 'js'].map((e) => [e, 'text'] as const),
]);

export function fileKindOf(name: string): FileKind {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? 'other' : (KIND_BY_EXT[name.slice(dot + 1).toLowerCase()] ?? 'other');
}

/** The folder part of a relative path ("photos/2024/a.jpg" → "photos/2024"), or ''. */
export function folderOf(relativePath: string | null): string {
  if (!relativePath) return '';
  const slash = relativePath.lastIndexOf('/');
  return slash < 0 ? '' : relativePath.slice(0, slash);
}

/** "12.2 / 24.0 MB" (one unit when both share it), else "900.0 KB / 1.2 MB". */
export function formatBytesOf(sent: number, total: number): string {
  const [a, b] = [formatBytes(sent), formatBytes(total)];
  const unit = b.slice(b.lastIndexOf(' '));
  return a.endsWith(unit) && unit !== ' B' ? `${a.slice(0, -unit.length)} / ${b}` : `${a} / ${b}`;
}

// One formatter for every row: toLocaleString with options builds a new Intl formatter per call,
// which is most of what a Library row costs while scrolling.
let dateTimeFormat: Intl.DateTimeFormat | null = null;

/** "Dec 3, 2026, 7:22 AM" in the user's locale, from epoch ms. */
export function formatDateTime(ms: number): string {
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateTimeFormat.format(ms);
}
