import { linkOf } from '../../src-shared/job-links.js';
import type { JobView } from '../../src-shared/model/job.js';

export { linkOf, linkTextOf } from '../../src-shared/job-links.js';

/**
 * The queue as the window lists it: batches (one drop, pick, paste or watch-folder burst) newest
 * first, each a header followed by its files in the order they were added. Pure, so it is
 * unit-tested and cheap to derive again on every push.
 */

/** What the user asked for, counted the way they think of it. */
export type QueueCounts = {
  readonly total: number;
  readonly done: number;
  /** The same bytes were uploaded before: the link is there, nothing was sent. */
  readonly already: number;
  readonly failed: number;
  readonly canceled: number;
  /** Not finished yet: queued, uploading, verifying, retrying or paused. */
  readonly left: number;
  /** Of `left`: running or waiting to run (not paused). */
  readonly active: number;
  readonly paused: number;
};

/** One batch's header. `links` counts the finished files that have a link to copy. */
export type BatchSummary = {
  readonly id: string;
  /** Epoch ms the batch's first file was added. */
  readonly createdAt: number;
  /** Set when a watch folder queued the batch. */
  readonly watchFolderId: string | null;
  readonly counts: QueueCounts;
  readonly links: number;
};

export type QueueItem = { readonly kind: 'batch'; readonly key: string; readonly batch: BatchSummary } | { readonly kind: 'job'; readonly key: string; readonly job: JobView };

/** Counts jobs by what they mean to the user (a duplicate is "already there", not "not done"). */
export function countJobs(jobs: Iterable<JobView>): QueueCounts {
  let total = 0;
  let done = 0;
  let already = 0;
  let failed = 0;
  let canceled = 0;
  let paused = 0;
  for (const j of jobs) {
    total += 1;
    const k = j.status.kind;
    if (k === 'done') done += 1;
    else if (k === 'duplicate') already += 1;
    else if (k === 'failed') failed += 1;
    else if (k === 'canceled') canceled += 1;
    else if (k === 'paused') paused += 1;
  }
  const left = total - done - already - failed - canceled;
  return { total, done, already, failed, canceled, left, active: left - paused, paused };
}

/** Jobs from builds without batch ids each stand alone. */
export const batchKeyOf = (job: JobView): string => job.batchId ?? `job-${job.id}`;

/** Builds the list: newest batch first; inside a batch, files by path ("row-2" before "row-10"). */
export function groupQueue(jobs: readonly JobView[]): QueueItem[] {
  const batches = new Map<string, JobView[]>();
  for (const job of jobs) {
    const key = batchKeyOf(job);
    const list = batches.get(key);
    if (list) list.push(job);
    else batches.set(key, [job]);
  }
  const groups = [...batches.entries()].map(([id, members]) => {
    members.sort(byPath);
    return { id, members, createdAt: members[0]?.createdAt ?? 0 };
  });
  groups.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const items: QueueItem[] = [];
  for (const g of groups) {
    const batch: BatchSummary = {
      id: g.id,
      createdAt: g.createdAt,
      watchFolderId: g.members[0]?.watchFolderId ?? null,
      counts: countJobs(g.members),
      links: g.members.reduce((n, j) => n + (linkOf(j) === null ? 0 : 1), 0),
    };
    items.push({ kind: 'batch', key: `batch:${g.id}`, batch });
    for (const job of g.members) items.push({ kind: 'job', key: job.id, job });
  }
  return items;
}

/**
 * What a count says, parts that are zero left out: "3 done · 1 already there · 2 left"; with
 * `withTotal` it starts with the number of files ("12 files · …", a batch header).
 */
export function summaryParts(c: QueueCounts, withTotal = false): { kind: keyof QueueCounts; text: string }[] {
  const parts: { kind: keyof QueueCounts; text: string }[] = [];
  if (withTotal) parts.push({ kind: 'total', text: `${c.total} ${c.total === 1 ? 'file' : 'files'}` });
  if (c.done > 0) parts.push({ kind: 'done', text: `${c.done} done` });
  if (c.already > 0) parts.push({ kind: 'already', text: `${c.already} already there` });
  if (c.failed > 0) parts.push({ kind: 'failed', text: `${c.failed} failed` });
  if (c.canceled > 0) parts.push({ kind: 'canceled', text: `${c.canceled} canceled` });
  if (c.left > 0) parts.push({ kind: 'left', text: `${c.left} left` });
  return parts;
}

const collator = new Intl.Collator(undefined, { numeric: true });
const byId = (a: JobView, b: JobView): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Orders jobs by creation, then id, so a list does not jump as updates arrive. */
export function byCreation(a: JobView, b: JobView): number {
  return a.createdAt - b.createdAt || byId(a, b);
}

/** Orders a batch's files the way a file manager would: by path, numbers by value. */
function byPath(a: JobView, b: JobView): number {
  return collator.compare(a.relativePath ?? a.name, b.relativePath ?? b.name) || byId(a, b);
}
