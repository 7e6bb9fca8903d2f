import type { JobView } from '../../../src-shared/model/job.js';
import { outcomeOf, type FileOutcome, type Reporter } from './output.js';
import type { Session } from './session.js';

/** States in which a job still has work ahead; `ferry` waits while any of its jobs is in one. */
const ACTIVE = new Set(['queued', 'uploading', 'verifying', 'retrying']);

export type FollowOptions = {
  readonly session: Session;
  /** A new session after the old one was lost (the app took over, or the app went away). */
  readonly reattach: () => Promise<Session>;
  readonly ids: readonly string[];
  readonly reporter: Reporter;
  /** What the user sees for a job: the path they gave, or the file in the folder they gave. */
  readonly label: (job: JobView) => string;
  readonly interrupted: Promise<void>;
};

/**
 * Waits until every job in `ids` is done, finally failed, canceled or paused, reporting as they
 * go; null when interrupted (Ctrl-C). A lost session is not the end: the same jobs are followed
 * in whichever engine owns the journal next (the app after a handover, or our own if the app
 * quits). A job removed from the queue before it finished is reported as failed.
 * Returns the outcomes and the session in use at the end.
 */
export async function follow(o: FollowOptions): Promise<{ outcomes: FileOutcome[]; session: Session } | null> {
  const mine = new Set(o.ids);
  const views = new Map<string, JobView>();
  const removed = new Set<string>();
  const reported = new Set<string>();
  let session = o.session;
  // Retry timers are unref'd in the engine (progress.ts): an explicit handle keeps this process
  // alive while a file waits for its next attempt (issue 13, hole 1).
  const keepAlive = setInterval(() => {}, 1 << 30);
  const settled = (id: string): boolean => removed.has(id) || (views.has(id) && !ACTIVE.has(views.get(id)!.status.kind));
  // Kept up to date per changed job: asking every id on every update made a 10,000-file upload
  // quadratic (the check was the CLI's top frame with 2,000 small files).
  const unsettled = new Set(o.ids);
  const recheck = (ids: Iterable<string>): void => {
    for (const id of ids) {
      if (!mine.has(id)) continue;
      if (settled(id)) unsettled.delete(id);
      else unsettled.add(id);
    }
  };
  const see = (jobs: readonly JobView[]): void => {
    const changed = jobs.filter((j) => mine.has(j.id));
    if (changed.length === 0) return;
    for (const job of changed) views.set(job.id, job);
    recheck(changed.map((j) => j.id));
    o.reporter.update(changed);
    for (const job of changed) {
      if (reported.has(job.id) || ACTIVE.has(job.status.kind) || job.status.kind === 'paused') continue;
      reported.add(job.id);
      o.reporter.finish(outcomeOf(o.label(job), job));
    }
  };
  try {
    for (;;) {
      let wake: () => void = () => {};
      const allSettled = new Promise<'done'>((resolve) => (wake = () => resolve('done')));
      const check = (): void => {
        if (unsettled.size === 0) wake();
      };
      const offUpdated = session.on('jobs:updated', ({ jobs }) => {
        see(jobs);
        check();
      });
      const offRemoved = session.on('jobs:removed', ({ ids }) => {
        for (const id of ids) if (mine.has(id) && !settled(id)) removed.add(id);
        recheck(ids);
        check();
      });
      try {
        const { jobs } = await session.call('jobs:list', {});
        const listed = new Set(jobs.map((j) => j.id));
        for (const id of o.ids) if (!listed.has(id) && !settled(id)) removed.add(id);
        recheck(o.ids);
        see(jobs);
        check();
      } catch {
        // The session went away between two calls; `lost` below says so.
      }
      const why = await Promise.race([allSettled, session.lost.then(() => 'lost' as const), o.interrupted.then(() => 'interrupted' as const)]);
      offUpdated();
      offRemoved();
      if (why === 'done') break;
      if (why === 'interrupted') return null;
      session = await o.reattach();
    }
  } finally {
    clearInterval(keepAlive);
  }
  const outcomes: FileOutcome[] = [];
  for (const id of o.ids) {
    const view = views.get(id);
    const outcome: FileOutcome = view && !removed.has(id) ? outcomeOf(o.label(view), view) : { file: view ? o.label(view) : id, state: 'failed', error: 'removed from the queue before it finished' };
    // Paused jobs (by the user, or for bad credentials) and removed ones are reported here.
    if (!reported.has(id)) o.reporter.finish(outcome);
    reported.add(id);
    outcomes.push(outcome);
  }
  return { outcomes, session };
}
