import type { LinkActionsEvent } from '../../src-shared/ipc/channels.js';
import { linkOf } from '../../src-shared/job-links.js';
import { formatLink } from '../../src-shared/links.js';
import type { JobView } from '../../src-shared/model/job.js';
import type { LinkActions } from '../../src-shared/model/transfer-settings.js';
import type { Timers } from '../engine/progress.js';

/** At most this many links of one batch open in the browser: a dropped folder must not open 500 tabs. */
export const MAX_OPEN_PER_BATCH = 3;
/** A batch counts as finished once it has had nothing running for this long (a drop streams in file by file). */
export const BATCH_SETTLE_MS = 1500;
/** Jobs remembered as already acted on (oldest forgotten first). */
const MAX_REMEMBERED = 20_000;

const TERMINAL = new Set<JobView['status']['kind']>(['done', 'duplicate', 'failed', 'canceled']);

type Batch = {
  /** Formatted links of the batch so far, in finishing order (what the clipboard holds). */
  links: string[];
  opened: number;
  running: Set<string>;
  /** `already`: the same bytes were uploaded before; the earlier link is offered. */
  done: { id: string; name: string; url: string; already: boolean }[];
  failed: number;
  notify: boolean;
  timer: unknown;
};

function noticeFor(done: Batch['done']): NonNullable<LinkActionsEvent['notice']> | null {
  const first = done[0];
  if (!first) return null;
  if (done.length === 1) return { title: first.already ? `${first.name} was already uploaded` : `${first.name} uploaded`, body: first.url, jobId: first.id };
  const already = done.filter((d) => d.already).length;
  const files = (n: number): string => `${n} ${n === 1 ? 'file' : 'files'}`;
  const title =
    already === 0 ? `${files(done.length)} uploaded` : already === done.length ? `${files(already)} were already uploaded` : `${files(done.length - already)} uploaded, ${already} already there`;
  return { title, body: 'Every upload was verified.', jobId: first.id };
}

/**
 * ShareX-style after-upload tasks. Follows `jobs:updated` and, the moment a job of this session
 * is verified (or found already uploaded), copies its link in the chosen format (the clipboard
 * holds every link of its batch so far, one per line), opens it (a few per batch) and, once the
 * whole batch has finished without failures, asks for one notification. `actionsFor` picks the
 * job's watch folder's actions or its destination's. Jobs that were already finished before this
 * launch never act again.
 */
export function createLinkActions(opts: {
  actionsFor(job: JobView): LinkActions;
  emit(event: LinkActionsEvent): void;
  now(): number;
  timers: Timers;
  settleMs?: number;
}): { update(views: readonly JobView[]): void; close(): void } {
  const startedAt = opts.now();
  const settleMs = opts.settleMs ?? BATCH_SETTLE_MS;
  const batches = new Map<string, Batch>();
  /** Jobs seen unfinished in this session. */
  const running = new Set<string>();
  /** Job id → `updatedAt` of the finish already acted on. */
  const acted = new Map<string, number>();

  const batchOf = (key: string): Batch => {
    let b = batches.get(key);
    if (!b) {
      b = { links: [], opened: 0, running: new Set(), done: [], failed: 0, notify: false, timer: null };
      batches.set(key, b);
    }
    return b;
  };

  const settle = (key: string, b: Batch): void => {
    if (b.timer !== null) opts.timers.clearTimeout(b.timer);
    b.timer = opts.timers.setTimeout(() => {
      b.timer = null;
      if (b.running.size > 0) return;
      batches.delete(key);
      // A batch with failures is announced as a failure elsewhere (the queue row, the host's failure notice).
      const notice = b.notify && b.failed === 0 ? noticeFor(b.done) : null;
      if (notice) opts.emit({ copy: null, open: [], notice });
    }, settleMs);
  };

  return {
    update(views) {
      let copy: LinkActionsEvent['copy'] = null;
      const open: string[] = [];
      for (const job of views) {
        const key = job.batchId ?? job.id;
        if (!TERMINAL.has(job.status.kind)) {
          running.add(job.id);
          const b = batchOf(key);
          b.running.add(job.id);
          if (b.timer !== null) opts.timers.clearTimeout(b.timer);
          b.timer = null;
          continue;
        }
        const fresh = running.delete(job.id) || job.createdAt >= startedAt;
        if (!fresh || acted.get(job.id) === job.updatedAt) continue;
        acted.set(job.id, job.updatedAt);
        if (acted.size > MAX_REMEMBERED) acted.delete(acted.keys().next().value as string);
        const b = batchOf(key);
        b.running.delete(job.id);
        const link = linkOf(job);
        if (link) {
          const actions = opts.actionsFor(job);
          if (actions.copy) {
            b.links.push(formatLink(link.url, job.name, actions.copy, { image: link.image }));
            copy = { text: b.links.join('\n'), count: b.links.length };
          }
          if (actions.open && b.opened < MAX_OPEN_PER_BATCH) {
            b.opened += 1;
            open.push(link.url);
          }
          if (actions.notify) b.notify = true;
          b.done.push({ id: job.id, name: job.name, url: link.url, already: job.status.kind === 'duplicate' });
        } else if (job.status.kind === 'failed') b.failed += 1;
        if (b.running.size === 0) settle(key, b);
      }
      if (copy || open.length > 0) opts.emit({ copy, open, notice: null });
    },
    close() {
      for (const b of batches.values()) if (b.timer !== null) opts.timers.clearTimeout(b.timer);
      batches.clear();
    },
  };
}

/**
 * Wires the planner to the app: actions come from the job's watch folder when it has its own,
 * else from the destination's settings; the events go to whichever host performs them.
 */
export function attachLinkActions(app: {
  engine: { on(name: 'jobs:updated', listener: (payload: { jobs: JobView[] }) => void): () => void };
  settings: { get(): { linkActions: Record<JobView['destination'], LinkActions> } };
  watch: { list(): readonly { id: string; linkActions?: LinkActions | null | undefined }[] };
  emit(event: LinkActionsEvent): void;
  timers: Timers;
}): () => void {
  const planner = createLinkActions({
    actionsFor: (job) => (job.watchFolderId ? app.watch.list().find((f) => f.id === job.watchFolderId)?.linkActions : null) ?? app.settings.get().linkActions[job.destination],
    emit: app.emit,
    now: () => Date.now(),
    timers: app.timers,
  });
  const off = app.engine.on('jobs:updated', ({ jobs }) => planner.update(jobs));
  return () => {
    off();
    planner.close();
  };
}
