import { describe, expect, it } from 'vitest';
import { appError } from '../../src-shared/errors.js';
import { jobStatusSchema, type Job, type JobStatus, type JobStatusKind } from '../../src-shared/model/job.js';
import { transition, type JobEvent } from '../../src-main/engine/transition.js';

const error = appError('server_error', 'boom');
const result = { url: 'http://x/y', remoteId: 'y', size: 10, mimetype: 'text/plain', filename: 'a.txt' };

/** One sample status per kind; typed so a new kind without a sample fails type-checking. */
const statuses: { [K in JobStatusKind]: Extract<JobStatus, { kind: K }> } = {
  queued: { kind: 'queued' },
  uploading: { kind: 'uploading' },
  verifying: { kind: 'verifying' },
  retrying: { kind: 'retrying', attempt: 1, retryAt: 5000, error },
  paused: { kind: 'paused', reason: 'user' },
  done: { kind: 'done', result, verifiedAt: 1 },
  failed: { kind: 'failed', error },
  canceled: { kind: 'canceled' },
  duplicate: { kind: 'duplicate', existing: { url: 'http://x/old', remoteId: 'old', finishedAt: 1 } },
};

/** One sample per event type (two for `failed`: final and with a retry time). */
type Label = JobEvent['type'] | 'failed-retry';
const events: { [L in Label]: JobEvent } = {
  started: { type: 'started' },
  progressed: { type: 'progressed', bytesSent: 4 },
  uploaded: { type: 'uploaded' },
  verified: { type: 'verified', result },
  failed: { type: 'failed', error: appError('bad_request', 'final') },
  'failed-retry': { type: 'failed', error, retryAt: 9000 },
  'auth-refused': { type: 'auth-refused', error: appError('unauthorized', 'no') },
  paused: { type: 'paused' },
  'became-unstable': { type: 'became-unstable', error: appError('file_changed', 'changed') },
  resumed: { type: 'resumed' },
  canceled: { type: 'canceled' },
  retried: { type: 'retried' },
  restored: { type: 'restored' },
  'found-duplicate': { type: 'found-duplicate', existing: { url: 'http://x/old', remoteId: 'old', finishedAt: 1 } },
  'upload-anyway': { type: 'upload-anyway' },
  settled: { type: 'settled', size: 42 },
  'hit-trouble': { type: 'hit-trouble', error: appError('network', "Can't reach x: connection refused"), retryAt: 4000 },
  'retry-now': { type: 'retry-now' },
};

const _ = null; // refused
/** The whole state machine: expected resulting status kind, or null when the event is refused. */
const table: { [K in JobStatusKind]: { [L in Label]: JobStatusKind | null } } = {
  queued: { started: 'uploading', progressed: _, uploaded: _, verified: _, failed: 'failed', 'failed-retry': 'retrying', 'auth-refused': 'paused', paused: 'paused', 'became-unstable': 'paused', resumed: _, canceled: 'canceled', retried: _, restored: _, 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  uploading: { started: _, progressed: 'uploading', uploaded: 'verifying', verified: _, failed: 'failed', 'failed-retry': 'retrying', 'auth-refused': 'paused', paused: 'paused', 'became-unstable': 'paused', resumed: _, canceled: 'canceled', retried: _, restored: 'queued', 'found-duplicate': 'duplicate', 'upload-anyway': _, settled: _, 'hit-trouble': 'uploading', 'retry-now': _ },
  verifying: { started: _, progressed: _, uploaded: _, verified: 'done', failed: 'failed', 'failed-retry': 'retrying', 'auth-refused': 'paused', paused: _, 'became-unstable': 'paused', resumed: _, canceled: 'canceled', retried: _, restored: 'queued', 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  retrying: { started: 'uploading', progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': 'paused', paused: 'paused', 'became-unstable': 'paused', resumed: _, canceled: 'canceled', retried: _, restored: 'queued', 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': 'queued' },
  paused: { started: _, progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': _, paused: _, 'became-unstable': _, resumed: 'queued', canceled: 'canceled', retried: _, restored: _, 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  done: { started: _, progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': _, paused: _, 'became-unstable': _, resumed: _, canceled: _, retried: _, restored: _, 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  failed: { started: _, progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': _, paused: _, 'became-unstable': _, resumed: _, canceled: 'canceled', retried: 'queued', restored: _, 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  canceled: { started: _, progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': _, paused: _, 'became-unstable': _, resumed: _, canceled: _, retried: 'queued', restored: _, 'found-duplicate': _, 'upload-anyway': _, settled: _, 'hit-trouble': _, 'retry-now': _ },
  duplicate: { started: _, progressed: _, uploaded: _, verified: _, failed: _, 'failed-retry': _, 'auth-refused': _, paused: _, 'became-unstable': _, resumed: _, canceled: _, retried: _, restored: _, 'found-duplicate': _, 'upload-anyway': 'queued', settled: _, 'hit-trouble': _, 'retry-now': _ },
};

function jobWith(status: JobStatus): Job {
  return {
    id: 'job-1', name: 'a.txt', relativePath: null, sourcePath: '/tmp/a.txt', size: 10, destination: 'local',
    status, bytesSent: 2, attempts: 1, createdAt: 0, updatedAt: 0,
  };
}

describe('transition()', () => {
  it('the table covers every status kind the schema defines', () => {
    const kinds = jobStatusSchema.options.map((o) => o.shape.kind.value).sort();
    expect(Object.keys(table).sort()).toEqual(kinds);
    expect(Object.keys(statuses).sort()).toEqual(kinds);
  });

  const cases = (Object.keys(table) as JobStatusKind[]).flatMap((kind) =>
    (Object.keys(events) as Label[]).map((label) => [kind, label, table[kind][label]] as const),
  );

  it.each(cases)('%s + %s → %s', (kind, label, expected) => {
    const job = jobWith(statuses[kind]);
    const out = transition(job, events[label], 777);
    if (expected === null) {
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.error.code).toBe('invalid_transition');
      expect(job.status).toEqual(statuses[kind]);
    } else {
      expect(out.ok).toBe(true);
      if (out.ok) {
        expect(out.value.status.kind).toBe(expected);
        expect(out.value.updatedAt).toBe(777);
      }
    }
  });

  it('only a retry after a failure counts as a new attempt', () => {
    // A job queued again by resume, restart or "retry now" goes on with the same try.
    const resumed = transition(jobWith(statuses.queued), events.started, 1);
    expect(resumed.ok && resumed.value.attempts).toBe(1);
    const first = transition({ ...jobWith(statuses.queued), attempts: 0 }, events.started, 1);
    expect(first.ok && first.value.attempts).toBe(1);
    const retry = transition(jobWith(statuses.retrying), events.started, 1);
    expect(retry.ok && retry.value.attempts).toBe(2);
    // The user's Retry and "upload anyway" start a fresh count (and retry budget).
    for (const [kind, event] of [['failed', 'retried'], ['duplicate', 'upload-anyway']] as const) {
      const out = transition(jobWith(statuses[kind]), events[event], 1);
      expect(out.ok && out.value.attempts).toBe(0);
    }
    // A file that changed mid-upload failed its try: the fresh upload is the next one.
    const settled = transition(jobWith({ kind: 'paused', reason: 'unstable' }), events.settled, 1);
    expect(settled.ok && settled.value.attempts).toBe(2);
  });

  it('trouble inside an attempt is shown until bytes move; "retry now" ends the wait', () => {
    const troubled = transition(jobWith(statuses.uploading), events['hit-trouble'], 1);
    expect(troubled.ok && troubled.value.status).toMatchObject({ kind: 'uploading', trouble: { retryAt: 4000, error: { code: 'network' } } });
    if (!troubled.ok) return;
    const moving = transition(troubled.value, { type: 'progressed', bytesSent: 5 }, 2);
    expect(moving.ok && moving.value.status).toEqual({ kind: 'uploading' });
    const now = transition(troubled.value, events['retry-now'], 2);
    expect(now.ok && now.value.status).toEqual({ kind: 'queued' });
    expect(now.ok && now.value.bytesSent).toBe(2);
  });

  it('progress is clamped; pause reasons are kept', () => {
    const prog = transition(jobWith(statuses.uploading), { type: 'progressed', bytesSent: 1e9 }, 1);
    expect(prog.ok && prog.value.bytesSent).toBe(10);
    const auth = transition(jobWith(statuses.uploading), events['auth-refused'], 1);
    expect(auth.ok && auth.value.status).toMatchObject({ kind: 'paused', reason: 'auth' });
    const retry = transition(jobWith(statuses.uploading), events['failed-retry'], 1);
    expect(retry.ok && retry.value.status).toMatchObject({ kind: 'retrying', retryAt: 9000 });
    // A non-retryable error is final even when a retry time is offered.
    const final = transition(jobWith(statuses.uploading), { type: 'failed', error: appError('permission', 'x'), retryAt: 5 }, 1);
    expect(final.ok && final.value.status.kind).toBe('failed');
    const retried = transition(jobWith(statuses.failed), events.retried, 1);
    expect(retried.ok && retried.value.bytesSent).toBe(0);
    // "Upload anyway" lets the next attempt skip the duplicate check.
    const anyway = transition(jobWith(statuses.duplicate), events['upload-anyway'], 1);
    expect(anyway.ok && anyway.value.allowDuplicate).toBe(true);
    const dup = transition(jobWith(statuses.uploading), events['found-duplicate'], 1);
    expect(dup.ok && dup.value.status).toMatchObject({ kind: 'duplicate', existing: { url: 'http://x/old' } });
  });
});

describe('settled (a changed file stopped changing)', () => {
  const base: Job = { id: 'j', name: 'a', relativePath: null, sourcePath: '/a', size: 10, destination: 'local', status: { kind: 'paused', reason: 'unstable', error: appError('file_changed', 'changed') }, bytesSent: 5, attempts: 1, createdAt: 0, updatedAt: 0 };
  it('re-queues an unstable pause with the new size and no progress', () => {
    const r = transition(base, { type: 'settled', size: 99 }, 7);
    expect(r.ok && r.value).toMatchObject({ status: { kind: 'queued' }, size: 99, bytesSent: 0, updatedAt: 7 });
  });
  it('never ends a pause the user or an auth failure made', () => {
    for (const reason of ['user', 'auth'] as const) {
      expect(transition({ ...base, status: { kind: 'paused', reason } }, { type: 'settled', size: 1 }, 7).ok).toBe(false);
    }
  });
});

// Facts the exhaustive table does not look at (it compares kinds only), pinned after
// `npm run mutate` showed they could change unnoticed.
describe('transition() details', () => {
  it('a refusal names the event, the state and the job, and leaves the job alone', () => {
    const r = transition(jobWith(statuses.done), events.started, 1);
    expect(r).toEqual({
      ok: false,
      error: { code: 'invalid_transition', message: 'Cannot apply "started" to a done job.', retryable: false, details: { jobId: 'job-1' } },
    });
  });

  it('pausing says who paused: the user, or the file that keeps changing (which restarts from 0)', () => {
    const user = transition(jobWith(statuses.uploading), events.paused, 1);
    expect(user.ok && user.value.status).toEqual({ kind: 'paused', reason: 'user' });
    expect(user.ok && user.value.bytesSent).toBe(2);
    const changed = appError('file_changed', 'changed');
    const unstable = transition(jobWith(statuses.uploading), { type: 'became-unstable', error: changed }, 1);
    expect(unstable.ok && unstable.value).toMatchObject({ status: { kind: 'paused', reason: 'unstable', error: changed }, bytesSent: 0 });
  });

  it('"retry now" is refused on a plain upload without trouble', () => {
    expect(transition(jobWith(statuses.uploading), events['retry-now'], 1).ok).toBe(false);
  });

  it('a retryable error without a retry time is final', () => {
    const r = transition(jobWith(statuses.uploading), { type: 'failed', error }, 1);
    expect(r.ok && r.value.status).toEqual({ kind: 'failed', error });
  });
});
