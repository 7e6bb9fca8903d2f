import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import PQueue from 'p-queue';
import { appError, FerryError, type AppError } from '../../src-shared/errors.js';
import { isTerminal, type DestinationKind, type Job } from '../../src-shared/model/job.js';
import { emptyFileError, runAttempt } from './attempt.js';
import { isAuthError, retryAfterOf } from './classify.js';
import { createEventHub } from './events.js';
import { expandPaths, type FoundFile } from './expand-paths.js';
import { nodeFs } from './file-system.js';
import { sanitizeFileName, sanitizeRelativePath } from './name-sanitize.js';
import { createProgressTracker, realTimers } from './progress.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from './retry.js';
import { transition, type JobEvent } from './transition.js';
import type { AddResult, Engine, EngineDeps, StagedFile } from './types.js';

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
  const queue = new PQueue({ concurrency: deps.fileConcurrency ?? 2 });
  const jobs = new Map<string, Job>();
  const controllers = new Map<string, AbortController>();
  const retryTimers = new Map<string, unknown>();
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

  const isIdle = () => ![...jobs.values()].some((j) => ACTIVE.has(j.status.kind));

  function commit(job: Job, stateChanged: boolean): void {
    jobs.set(job.id, job);
    // Byte counts alone are not persisted: a durable store fsyncs every write, and resume comes
    // from the provider's checkpoint (confirmed parts), not from bytesSent.
    if (stateChanged) store.put(job);
    progress.record(job, stateChanged);
    if (stateChanged && idleWaiters.length > 0 && isIdle()) {
      progress.flush();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Applies an engine-internal event; a refusal is logged (it means a race we lost), not thrown. */
  function apply(id: string, event: JobEvent): Job | undefined {
    const job = jobs.get(id);
    if (!job) return undefined;
    const result = transition(job, event, clock.now());
    if (!result.ok) {
      logger.warn('job event refused', { jobId: id, event: event.type, status: job.status.kind });
      return undefined;
    }
    commit(result.value, result.value.status.kind !== job.status.kind || event.type !== 'progressed');
    return result.value;
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
    const timer = retryTimers.get(id);
    if (timer !== undefined) timers.clearTimeout(timer);
    retryTimers.delete(id);
    const controller = controllers.get(id);
    controllers.delete(id);
    controller?.abort();
  }

  function enqueue(id: string): void {
    if (closed) return;
    queue.add(() => run(id)).catch((thrown: unknown) => logger.error('queue task failed', { jobId: id, error: String(thrown) }));
  }

  async function run(id: string): Promise<void> {
    const job = jobs.get(id);
    if (closed || !job || (job.status.kind !== 'queued' && job.status.kind !== 'retrying')) return;
    const provider = deps.providers[job.destination];
    if (!provider) {
      apply(id, { type: 'failed', error: appError('unsupported', `No ${job.destination} destination is configured.`, { retryable: false }) });
      return;
    }
    const controller = new AbortController();
    controllers.set(id, controller);
    if (!apply(id, { type: 'started' })) {
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
    });
    if (controllers.get(id) === controller) controllers.delete(id);
    if (outcome.kind === 'failed') handleFailure(id, outcome.error);
  }

  function handleFailure(id: string, error: AppError): void {
    const job = jobs.get(id);
    if (!job) return;
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

  function createJob(file: FoundFile & { name?: string }, destination: DestinationKind): string {
    const now = clock.now();
    const job: Job = {
      id: randomUUID(),
      name: sanitizeFileName(file.name ?? basename(file.relativePath ?? file.path)),
      relativePath: file.relativePath === null ? null : sanitizeRelativePath(file.relativePath),
      sourcePath: file.path,
      size: file.size,
      destination,
      status: { kind: 'queued' },
      bytesSent: 0,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    commit(job, true);
    if (job.size === 0) apply(job.id, { type: 'failed', error: emptyFileError() });
    else enqueue(job.id);
    return job.id;
  }

  function destinationFor(destination: DestinationKind | undefined): DestinationKind {
    if (closed) throw new FerryError(appError('aborted', 'Ferry is shutting down.', { retryable: false }));
    const dest = destination ?? deps.defaultDestination;
    if (!deps.providers[dest]) {
      throw new FerryError(appError('unsupported', `No ${dest} destination is configured.`, { retryable: false }));
    }
    return dest;
  }

  async function addStaged(files: StagedFile[], destination?: DestinationKind): Promise<AddResult> {
    const dest = destinationFor(destination);
    const found: (FoundFile & { name?: string })[] = [];
    const skipped: AddResult['skipped'] = [];
    for (const file of files) {
      const { files: hits, skipped: misses } = await expandPaths(fs, [file.path]);
      skipped.push(...misses);
      const hit = hits[0];
      if (hit && hit.relativePath === null) found.push({ ...hit, relativePath: file.relativePath, ...(file.name ? { name: file.name } : {}) });
      else if (hit) skipped.push({ path: file.path, reason: 'not a regular file' });
    }
    return { jobIds: found.map((f) => createJob(f, dest)), skipped };
  }

  function pause(id: string): void {
    command(id, { type: 'paused' });
    stopAttempt(id);
  }

  function resume(id: string): void {
    command(id, { type: 'resumed' });
    enqueue(id);
  }

  // Jobs a previous run left mid-flight go back to the queue (the journal may resume them).
  for (const job of store.loadAll()) {
    jobs.set(job.id, job);
    if (job.status.kind === 'uploading' || job.status.kind === 'verifying' || job.status.kind === 'retrying') {
      apply(job.id, { type: 'restored' });
    }
  }
  for (const job of jobs.values()) if (job.status.kind === 'queued') enqueue(job.id);

  return {
    async addPaths(paths, destination) {
      const dest = destinationFor(destination);
      const { files, skipped } = await expandPaths(fs, paths);
      return { jobIds: files.map((f) => createJob(f, dest)), skipped };
    },
    addStaged,
    pause,
    resume,
    cancel(id) {
      command(id, { type: 'canceled' });
      stopAttempt(id);
      store.checkpoint(id).clear();
    },
    retry(id) {
      command(id, { type: 'retried' });
      enqueue(id);
    },
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
        jobs.delete(id);
        store.remove(id);
        progress.forget(id);
      }
      if (ids.length > 0) hub.emit('jobs:removed', { ids });
    },
    list: () => [...jobs.values()].map((job) => progress.view(job)),
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
      queue.clear();
      // Running attempts are aborted without a status change, so the store still says
      // `uploading` and the next launch restores them.
      for (const id of [...controllers.keys(), ...retryTimers.keys()]) stopAttempt(id);
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([queue.onIdle(), new Promise<void>((r) => (graceTimer = setTimeout(r, CLOSE_GRACE_MS)))]);
      clearTimeout(graceTimer);
      progress.close();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
