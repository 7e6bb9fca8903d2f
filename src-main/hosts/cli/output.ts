import { formatBytes } from '../../../src-shared/format-bytes.js';
import type { JobView } from '../../../src-shared/model/job.js';

/** One finished file as the CLI reports it (`--json` prints exactly this, one line each). */
export type FileOutcome = { file: string; state: string; url?: string; error?: string };

/** Where the CLI's progress and results go. */
export interface Reporter {
  /** Jobs changed (already coalesced by the engine to ≤ 10 pushes a second). */
  update(jobs: readonly JobView[]): void;
  /** A file reached its final state for this run. */
  finish(outcome: FileOutcome): void;
  /** A message for humans (never part of the JSON stream). */
  note(message: string): void;
  close(): void;
}

export type Stream = { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };

/** The state word a job ends in; `duplicate` and `paused: auth` keep their detail. */
export function outcomeOf(file: string, job: JobView): FileOutcome {
  const s = job.status;
  switch (s.kind) {
    case 'done':
      return { file, state: 'done', url: s.result.url };
    case 'duplicate':
      return { file, state: 'duplicate', url: s.existing.url };
    case 'failed':
      return { file, state: 'failed', error: s.error.message };
    case 'paused':
      return { file, state: `paused: ${s.reason}`, ...(s.error ? { error: s.error.message } : {}) };
    case 'retrying':
      return { file, state: 'retrying', error: s.error.message };
    default:
      return { file, state: s.kind };
  }
}

/** A file counts as a success only when its bytes are (or already were) stored. */
export function isSuccess(outcome: FileOutcome): boolean {
  return outcome.state === 'done' || outcome.state === 'duplicate';
}

/** `--json`: one JSON object per finished file on stdout, nothing else there. */
export function jsonReporter(out: Stream, err: Stream): Reporter {
  return {
    update: () => {},
    finish: (o) => void out.write(`${JSON.stringify(o)}\n`),
    note: (m) => void err.write(`${m}\n`),
    close: () => {},
  };
}

/** A piped run prints an overall progress line at most this often. */
const PROGRESS_EVERY_MS = 2000;

/**
 * Not a terminal (a pipe, a log file): one plain line per state change and, while files are
 * uploading, an overall progress line every 2 s (percent, bytes, speed); no escape codes.
 */
export function plainReporter(out: Stream, now: () => number = () => Date.now()): Reporter {
  const last = new Map<string, string>();
  const active = new Map<string, JobView>();
  let lastProgress = now();
  return {
    update(jobs) {
      for (const job of jobs) {
        const k = job.status.kind;
        if (k === 'uploading' || k === 'verifying' || k === 'retrying' || k === 'queued') active.set(job.id, job);
        else active.delete(job.id);
        if (last.get(job.id) === k) continue;
        last.set(job.id, k);
        if (k === 'uploading' || k === 'retrying') out.write(`${job.name}: ${k}\n`);
      }
      if (now() - lastProgress < PROGRESS_EVERY_MS || ![...active.values()].some((j) => j.status.kind === 'uploading')) return;
      lastProgress = now();
      out.write(`${progressLine([...active.values()])}\n`);
    },
    finish: (o) => void out.write(`${o.file}: ${o.state}${o.url ? ` ${o.url}` : ''}${o.error ? ` (${o.error})` : ''}\n`),
    note: (m) => void out.write(`${m}\n`),
    close: () => {},
  };
}

/** `Progress: 2 files, 45% (123.4 MB of 274.0 MB), 12.3 MB/s` (one file: its name). */
export function progressLine(jobs: readonly JobView[]): string {
  const sent = jobs.reduce((n, j) => n + Math.min(j.bytesSent, j.size), 0);
  const size = jobs.reduce((n, j) => n + j.size, 0);
  const speed = jobs.reduce((n, j) => n + j.speedBps, 0);
  const pct = size > 0 ? Math.floor((sent / size) * 100) : 100;
  const what = jobs.length === 1 ? (jobs[0]?.name ?? '') : `${jobs.length} files`;
  return `Progress: ${what}, ${pct}% (${formatBytes(sent)} of ${formatBytes(size)})${speed > 0 ? `, ${formatBytes(speed)}/s` : ''}`;
}

const REDRAW_MS = 100;
const BAR = 24;

/**
 * A terminal: one bar per active file, redrawn in place at most 10 times a second; finished
 * files are printed above the bars and stay.
 */
export function ttyReporter(out: Stream, now: () => number = () => Date.now()): Reporter {
  const active = new Map<string, JobView>();
  let drawn = 0;
  let lastDraw = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const clear = (): void => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = (): void => {
    timer = null;
    lastDraw = now();
    clear();
    const width = Math.max(40, out.columns ?? 80);
    for (const job of active.values()) {
      out.write(`${barLine(job, width)}\n`);
      drawn++;
    }
  };
  const schedule = (): void => {
    if (timer !== null) return;
    const wait = Math.max(0, lastDraw + REDRAW_MS - now());
    timer = setTimeout(draw, wait);
    timer.unref();
  };
  return {
    update(jobs) {
      for (const job of jobs) {
        const k = job.status.kind;
        if (k === 'uploading' || k === 'verifying' || k === 'retrying' || k === 'queued') active.set(job.id, job);
        else active.delete(job.id);
      }
      schedule();
    },
    finish(o) {
      clear();
      out.write(`${o.state === 'done' || o.state === 'duplicate' ? '✓' : '✗'} ${o.file}: ${o.state}${o.url ? ` ${o.url}` : ''}${o.error ? ` (${o.error})` : ''}\n`);
      schedule();
    },
    note(m) {
      clear();
      out.write(`${m}\n`);
      schedule();
    },
    close() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      clear();
    },
  };
}

function barLine(job: JobView, width: number): string {
  const pct = job.size > 0 ? Math.min(1, job.bytesSent / job.size) : 0;
  const filled = Math.round(pct * BAR);
  const speed = job.speedBps > 0 ? ` ${(job.speedBps / 1048576).toFixed(1)} MB/s` : '';
  const tail = ` ${String(Math.round(pct * 100)).padStart(3)}% ${job.status.kind}${speed}`;
  const room = Math.max(8, width - BAR - tail.length - 4);
  const name = job.name.length > room ? `${job.name.slice(0, room - 1)}…` : job.name.padEnd(room);
  return `${name} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]${tail}`;
}
