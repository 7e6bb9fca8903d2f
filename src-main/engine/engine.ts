import { appError, FerryError, type AppError } from '../../src-shared/errors.js';
import { isTerminal, type DestinationKind, type Job, type UploadResult } from '../../src-shared/model/job.js';
import { emptyFileError, runAttempt, type UploadedContent } from './attempt.js';
import { donePersister, duplicatePersister } from './done-record.js';
import { isAuthError, retryAfterOf } from './classify.js';
import { createEventHub } from './events.js';
import { expandPaths, OUTSIDE_ROOTS } from './expand-paths.js';
import { nodeFs } from './file-system.js';
import type { Provider } from './ports.js';
import { expandStaged, newJob, originOf, type JobSource } from './new-job.js';
import { createProgressTracker, realTimers } from './progress.js';
import { watchUntilSettled } from './settle-watch.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from './retry.js';
import { createScheduler } from './scheduler.js';
import { transition, type JobEvent } from './transition.js';
import { asJournal, type AddOptions, type AddResult, type Engine, type EngineDeps, type StagedFile } from './types.js';

const ACTIVE = new Set(['queued', 'uploading', 'verifying', 'retrying']);
const CLOSE_GRACE_MS = 5000;


/**
 * Builds the upload engine: one job table, one queue (p-queue, `fileConcurrency` files at once),
 * every status change through `transition()`, every change persisted with `store.put` and pushed
 * (coalesced) as `jobs:updated`.
 */
export function createEngine(deps: EngineDeps): Engine {
  const { clock, logger, store } = deps;
  const fs = deps.fs ?? nodeFs;
  const timers = deps.timers ?? realTimers;
  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const random = deps.random ?? Math.random;
  const journal = asJournal(store);
  // Own copy: destinations built from the keychain come and go while the app runs (setProvider).
  const providers: Partial<Record<DestinationKind, Provider>> = { ...deps.providers };
  const jobs = new Map<string, Job>();
  const scheduler = createScheduler({
    target: deps.fileConcurrency ?? 2,
    run: (id) => run(id),
    isReady: (id) => !closed && (jobs.get(id)?.status.kind === 'queued' || jobs.get(id)?.status.kind === 'retrying'),
    onError: (id, thrown) => logger.error('queue task failed', { jobId: id, error: String(thrown) }),
  });
  const controllers = new Map<string, AbortController>();
  const retryTimers = new Map<string, unknown>();
  /** Jobs paused because their file changed, waiting for it to settle. */
  const settling = new Map<string, { stop(): void }>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;
  const hub = createEventHub(logger);
  const progress = createProgressTracker({
    clock,
    timers,
    intervalMs: deps.progressIntervalMs ?? 100,
    lookup: (id) => jobs.get(id),
    emit: (views) => hub.emit('jobs:updated', { jobs: views }),
  });

  // Counted, not scanned: checking for idle on every state change of 10,000 jobs was quadratic.
  let active = 0;
  const isActive = (j: Job | undefined): boolean => j !== undefined && ACTIVE.has(j.status.kind);
  const setJob = (job: Job): void => {
    active += Number(isActive(job)) - Number(isActive(jobs.get(job.id)));
    jobs.set(job.id, job);
  };
  const dropJob = (id: string): void => {
    active -= Number(isActive(jobs.get(id)));
    jobs.delete(id);
  };
  const isIdle = (): boolean => active === 0;

  /** `persist` replaces `store.put` for writes that must go with more (see complete()). */
  function commit(job: Job, stateChanged: boolean, persist?: (job: Job) => void, bytesReported = false): void {
    // Persist first: if the write throws, memory must not claim a state the disk does not have.
    // Byte counts alone are not persisted: a durable store fsyncs every write, and resume comes
    // from the provider's checkpoint (confirmed parts), not from bytesSent.
    if (stateChanged) (persist ?? ((j: Job) => store.put(j)))(job);
    setJob(job);
    progress.record(job, stateChanged, bytesReported);
    if (stateChanged && idleWaiters.length > 0 && isIdle()) {
      progress.flush();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Applies an engine-internal event; a refusal is logged (it means a race we lost), not thrown. */
  function apply(id: string, event: JobEvent, persist?: (job: Job) => void): Job | undefined {
    const job = jobs.get(id);
    if (!job) return undefined;
    const result = transition(job, event, clock.now());
    if (!result.ok) {
      logger.warn('job event refused', { jobId: id, event: event.type, status: job.status.kind });
      return undefined;
    }
    commit(result.value, result.value.status.kind !== job.status.kind || event.type !== 'progressed', persist, event.type === 'progressed');
    return result.value;
  }

  /** A persister for steps the journal does not hold on their own (see run() and complete()). */
  const notWritten = (): void => undefined;

  /** Marks a verified upload done, written durably together with its history (done-record.ts). */
  function complete(id: string, uploaded: UploadResult, content: UploadedContent | null): void {
    // `verifying` is not written on its own: the done record follows in this same tick, and a
    // restart treats an uploading job exactly like a verifying one (one journal write per file).
    if (!apply(id, { type: 'uploaded' }, notWritten)) return;
    // The job keeps the key of what it sent (watch adoption after a restart compares it).
    const result = content ? { ...uploaded, contentKey: content.key } : uploaded;
    apply(id, { type: 'verified', result }, donePersister(store, journal, result, content, clock.now()));
  }

  /** Applies a user command; refusals and unknown ids become typed errors for the caller. */
  function command(id: string, event: JobEvent): Job {
    const job = jobs.get(id);
    if (!job) throw new FerryError(appError('not_found', `No job with id ${id}.`, { retryable: false }));
    const result = transition(job, event, clock.now());
    if (!result.ok) throw new FerryError(result.error);
    commit(result.value, true);
    return result.value;
  }

  function stopAttempt(id: string): void {
    settling.get(id)?.stop();
    settling.delete(id);
    const timer = retryTimers.get(id);
    if (timer !== undefined) timers.clearTimeout(timer);
    retryTimers.delete(id);
    const controller = controllers.get(id);
    controllers.delete(id);
    controller?.abort();
  }

  function enqueue(id: string): void {
    if (closed) return;
    scheduler.enqueue(id);
  }

  async function run(id: string): Promise<void> {
    const job = jobs.get(id);
    if (closed || !job || (job.status.kind !== 'queued' && job.status.kind !== 'retrying')) return;
    const provider = providers[job.destination];
    if (!provider) {
      apply(id, { type: 'failed', error: appError('unsupported', `No ${job.destination} destination is configured.`, { retryable: false }) });
      return;
    }
    const controller = new AbortController();
    controllers.set(id, controller);
    // Taken from the queue, `uploading` is not written: a restart sends an uploading job back to
    // the queue with the same attempt count it had there, so the journal's `queued` says the
    // same (one write fewer per file; the next state — done, failed, paused — is written).
    // From `retrying` it is written: it counts a new try.
    if (!apply(id, { type: 'started' }, job.status.kind === 'queued' ? notWritten : undefined)) {
      controllers.delete(id);
      return;
    }
    const isCurrent = () => !closed && controllers.get(id) === controller && !controller.signal.aborted;
    const outcome = await runAttempt({
      fs,
      store,
      provider,
      signal: controller.signal,
      isCurrent,
      get: () => jobs.get(id),
      apply: (event) => apply(id, event),
      patch: (patch) => {
        const current = jobs.get(id);
        if (current) commit({ ...current, ...patch, updatedAt: clock.now() }, false);
      },
      history: journal?.history ?? null,
      foundDuplicate: (existing, version) =>
        apply(
          id,
          { type: 'found-duplicate', existing: { url: existing.url, remoteId: existing.remoteId, finishedAt: existing.finishedAt } },
          duplicatePersister(store, journal, existing, clock.now(), version),
        ),
      complete: (result, content) => complete(id, result, content),
    });
    if (controllers.get(id) === controller) controllers.delete(id);
    if (outcome.kind === 'failed') handleFailure(id, outcome.error);
    if (outcome.kind === 'done') scheduler.succeeded();
  }

  function handleFailure(id: string, error: AppError): void {
    const job = jobs.get(id);
    if (!job) return;
    if (error.code === 'file_changed') {
      // Never upload mixed content: wait until the file stops changing, then start over once.
      if (apply(id, { type: 'became-unstable', error })) watchSettling(id, job.sourcePath);
      return;
    }
    if (isAuthError(error)) {
      apply(id, { type: 'auth-refused', error });
      // Bad credentials fail every file the same way: park the rest instead of hammering.
      for (const other of jobs.values()) {
        if (other.destination !== job.destination || other.id === id) continue;
        if (other.status.kind === 'queued' || other.status.kind === 'retrying') {
          stopAttempt(other.id);
          apply(other.id, { type: 'auth-refused', error });
        }
      }
      return;
    }
    // The provider already slows its parts down on a 429; the engine sends fewer files at once.
    if (error.code === 'rate_limited') scheduler.rateLimited();
    const delay = retryDelay(job.attempts, error, policy, retryAfterOf(error), random);
    if (delay === null) {
      apply(id, { type: 'failed', error });
      return;
    }
    logger.info('upload attempt failed, retrying', { jobId: id, code: error.code, attempt: job.attempts, delayMs: delay });
    if (!apply(id, { type: 'failed', error, retryAt: clock.now() + delay })) return;
    const timer = timers.setTimeout(() => {
      retryTimers.delete(id);
      if (jobs.get(id)?.status.kind === 'retrying') enqueue(id);
    }, delay);
    retryTimers.set(id, timer);
  }

  function watchSettling(id: string, path: string): void {
    settling.get(id)?.stop();
    settling.set(
      id,
      watchUntilSettled(fs, timers, path, (size) => {
        settling.delete(id);
        store.checkpoint(id).clear();
        if (apply(id, { type: 'settled', size })) enqueue(id);
      }, deps.settleMs),
    );
  }

  /** Many job writes as one journal transaction (one disk sync), when the store can. */
  function inBatch<T>(fn: () => T): T {
    return store.batch ? store.batch(fn) : fn();
  }

  function createJob(file: JobSource, destination: DestinationKind, origin: AddOptions & { batchId: string }): string {
    const job = newJob(file, destination, clock.now(), origin);
    commit(job, true);
    scheduler.track(job.id);
    if (job.size === 0) apply(job.id, { type: 'failed', error: emptyFileError() });
    else enqueue(job.id);
    return job.id;
  }

  function destinationFor(destination: DestinationKind | undefined): DestinationKind {
    if (closed) throw new FerryError(appError('aborted', 'Ferry is shutting down.', { retryable: false }));
    const dest = destination ?? deps.defaultDestination;
    if (!providers[dest]) {
      throw new FerryError(appError('unsupported', `No ${dest} destination is configured.`, { retryable: false }));
    }
    return dest;
  }

  async function addStaged(files: StagedFile[], destination?: DestinationKind, opts?: AddOptions): Promise<AddResult> {
    const dest = destinationFor(destination);
    const { found, skipped } = await expandStaged(fs, files);
    const origin = originOf(opts);
    return { jobIds: inBatch(() => found.map((f) => createJob(f, dest, origin))), skipped };
  }

  function pause(id: string): void {
    command(id, { type: 'paused' });
    scheduler.drop(id);
    stopAttempt(id);
  }

  function resume(id: string): void {
    settling.get(id)?.stop();
    settling.delete(id);
    command(id, { type: 'resumed' });
    enqueue(id);
  }

  // Jobs a previous run left mid-flight go back to the queue (the journal may resume them).
  for (const job of store.loadAll()) {
    setJob(job);
    scheduler.track(job.id);
    if (job.status.kind === 'uploading' || job.status.kind === 'verifying' || job.status.kind === 'retrying') {
      apply(job.id, { type: 'restored' });
    }
  }
  for (const job of jobs.values()) if (job.status.kind === 'queued') enqueue(job.id);

  return {
    async addPaths(paths, destination, opts) {
      const dest = destinationFor(destination);
      const { files, skipped } = await expandPaths(fs, paths, opts?.gate);
      for (const s of skipped) if (s.reason === OUTSIDE_ROOTS) logger.warn('refused a path outside the allowed folders', { path: s.path });
      const origin = originOf(opts);
      return { jobIds: inBatch(() => files.map((f) => createJob(f, dest, origin))), skipped };
    },
    addStaged,
    pause,
    resume,
    cancel(id) {
      command(id, { type: 'canceled' });
      scheduler.drop(id);
      stopAttempt(id);
      store.checkpoint(id).clear();
    },
    retry(id) {
      const s = jobs.get(id)?.status;
      if (s?.kind === 'retrying' || (s?.kind === 'uploading' && s.trouble)) {
        // "Retry now": skip the wait (the engine's timer or the provider's own backoff); the
        // attempt restarts and resumes from its checkpoint.
        command(id, { type: 'retry-now' });
        stopAttempt(id);
        enqueue(id);
        return;
      }
      command(id, { type: 'retried' });
      enqueue(id);
    },
    uploadAnyway(id) {
      command(id, { type: 'upload-anyway' });
      enqueue(id);
    },
    move(id, to) {
      if (!jobs.has(id)) throw new FerryError(appError('not_found', `No job with id ${id}.`, { retryable: false }));
      scheduler.move(id, to);
    },
    setFileConcurrency: (n) => scheduler.setTarget(n),
    setProvider(kind, provider) {
      if (provider) providers[kind] = provider;
      else delete providers[kind];
    },
    concurrency: () => scheduler.concurrency(),
    pauseAll() {
      for (const job of [...jobs.values()]) {
        const k = job.status.kind;
        if (k === 'queued' || k === 'uploading' || k === 'retrying') pause(job.id);
      }
    },
    resumeAll() {
      for (const job of [...jobs.values()]) if (job.status.kind === 'paused') resume(job.id);
    },
    clearFinished() {
      const ids = [...jobs.values()].filter((j) => isTerminal(j.status)).map((j) => j.id);
      for (const id of ids) {
        dropJob(id);
        store.remove(id);
        progress.forget(id);
        scheduler.forget(id);
      }
      if (ids.length > 0) hub.emit('jobs:removed', { ids });
    },
    list: () => scheduler.order().flatMap((id) => {
      const job = jobs.get(id);
      return job ? [progress.view(job)] : [];
    }),
    get(id) {
      const job = jobs.get(id);
      return job ? progress.view(job) : undefined;
    },
    on: (name, listener) => hub.on(name, listener),
    whenIdle() {
      if (isIdle()) {
        progress.flush();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      if (closed) return;
      closed = true;
      scheduler.clear();
      // Running attempts are aborted without a status change, so the store still says
      // `uploading` and the next launch restores them.
      for (const id of [...controllers.keys(), ...retryTimers.keys(), ...settling.keys()]) stopAttempt(id);
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([scheduler.onIdle(), new Promise<void>((r) => (graceTimer = setTimeout(r, CLOSE_GRACE_MS)))]);
      clearTimeout(graceTimer);
      progress.close();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
