import { describe, expect, it } from 'vitest';
import type { JobStatus, JobView } from '../../src-shared/model/job.js';
import { createBatchTracker } from '../../src-main/hosts/batch-notices.js';
import { deriveTrayState } from '../../src-main/hosts/tray-state.js';

const prefs = { defaultDestination: 'local', destinations: ['local'], linkFormat: 'markdown', watching: false } as const;

function job(id: string, status: JobStatus, size = 100, bytesSent = 0): JobView {
  return { id, name: `${id}.bin`, relativePath: null, size, destination: 'local', status, bytesSent, attempts: 1, createdAt: 1, updatedAt: 1, speedBps: 0, etaSeconds: null };
}
const done = (id: string, at: number): JobView =>
  job(id, { kind: 'done', verifiedAt: at, result: { url: `http://x/${id}`, remoteId: id, size: 100, mimetype: 'x', filename: id } }, 100, 100);
const failed = (id: string): JobView => job(id, { kind: 'failed', error: { code: 'permission', message: 'Permission denied', retryable: false } });

describe('deriveTrayState', () => {
  it('counts active bytes, orders recent uploads newest first and keeps prefs', () => {
    const state = deriveTrayState(
      [job('a', { kind: 'uploading' }, 1000, 250), job('b', { kind: 'queued' }, 1000, 0), done('c', 5), done('d', 9), failed('e')],
      prefs,
    );
    expect(state).toMatchObject({ activeJobs: 2, totalBytes: 2000, sentBytes: 250, paused: false, linkFormat: 'markdown', watching: false });
    expect(state.recent.map((r) => r.id)).toEqual(['d', 'c']);
  });

  it('reads as paused only when nothing is active and the user paused something', () => {
    expect(deriveTrayState([job('a', { kind: 'paused', reason: 'user' })], prefs).paused).toBe(true);
    expect(deriveTrayState([job('a', { kind: 'paused', reason: 'auth' })], prefs).paused).toBe(false);
    expect(deriveTrayState([job('a', { kind: 'paused', reason: 'user' }), job('b', { kind: 'uploading' })], prefs).paused).toBe(false);
  });
});

describe('batch notices', () => {
  it('gives one notice per batch, when the last job finishes', () => {
    const t = createBatchTracker();
    expect(t.update([done('old', 1)])).toBeNull();
    expect(t.update([done('old', 1), job('a', { kind: 'uploading' }), job('b', { kind: 'queued' })])).toBeNull();
    expect(t.update([done('old', 1), done('a', 2), job('b', { kind: 'uploading' })])).toBeNull();
    const notice = t.update([done('old', 1), done('a', 2), done('b', 3)]);
    expect(notice).toEqual({ kind: 'batch-done', title: '2 files uploaded', body: 'Every upload was verified.', jobId: 'a' });
    // Nothing new happened: no second notice.
    expect(t.update([done('old', 1), done('a', 2), done('b', 3)])).toBeNull();
  });

  it('names the single upload, and turns failures into a failure notice pointing at the first', () => {
    const t = createBatchTracker();
    t.update([job('a', { kind: 'uploading' })]);
    expect(t.update([done('a', 2)])).toMatchObject({ kind: 'batch-done', title: 'a.bin uploaded', body: 'http://x/a' });
    t.update([done('a', 2), job('b', { kind: 'uploading' }), job('c', { kind: 'queued' })]);
    expect(t.update([done('a', 2), failed('b'), done('c', 4)])).toEqual({
      kind: 'batch-failed',
      title: '1 file failed to upload',
      body: '1 file uploaded. b.bin: Permission denied',
      jobId: 'b',
    });
  });
});
