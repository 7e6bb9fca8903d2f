import { describe, expect, it } from 'vitest';
import { activityOf, activityPercent, activityTitle, activityTooltip, type Activity } from '../../src-shared/activity.js';
import type { JobStatus, JobView } from '../../src-shared/model/job.js';

let n = 0;
function job(status: JobStatus, size: number, bytesSent: number, speedBps = 0): JobView {
  n += 1;
  return {
    id: `j${n}`, name: `f${n}`, relativePath: null, size, destination: 'local', status, bytesSent, attempts: 0,
    createdAt: 0, updatedAt: 0, speedBps, etaSeconds: null,
  };
}
const error = { code: 'network' as const, message: 'x', retryable: true };

describe('activity: what is moving right now', () => {
  it('counts queued, uploading, verifying and retrying as active; paused apart; finished jobs not at all', () => {
    const a = activityOf([
      job({ kind: 'queued' }, 100, 0),
      job({ kind: 'uploading' }, 1000, 400, 50),
      job({ kind: 'verifying' }, 10, 10),
      job({ kind: 'retrying', attempt: 1, retryAt: 5, error }, 200, 50, 7),
      job({ kind: 'paused', reason: 'auth' }, 300, 100),
      job({ kind: 'done', verifiedAt: 1, result: { url: 'u', remoteId: 'r', size: 5000, mimetype: 'x', filename: 'f' } }, 5000, 5000, 999),
      job({ kind: 'failed', error }, 7000, 10, 999),
      job({ kind: 'canceled' }, 7000, 10),
    ]);
    expect(a).toEqual({ activeJobs: 4, pausedJobs: 1, totalBytes: 1610, sentBytes: 560, speedBps: 57, paused: false });
  });

  it('sent bytes never exceed a job size (a re-sent part does not push the total past 100 %)', () => {
    expect(activityOf([job({ kind: 'uploading' }, 100, 150)]).sentBytes).toBe(100);
  });

  it('is paused only when nothing is active and a job was paused by the user', () => {
    expect(activityOf([job({ kind: 'paused', reason: 'user' }, 10, 0)]).paused).toBe(true);
    expect(activityOf([job({ kind: 'paused', reason: 'unstable' }, 10, 0)]).paused).toBe(false);
    expect(activityOf([job({ kind: 'paused', reason: 'user' }, 10, 0), job({ kind: 'queued' }, 10, 0)]).paused).toBe(false);
    expect(activityOf([])).toEqual({ activeJobs: 0, pausedJobs: 0, totalBytes: 0, sentBytes: 0, speedBps: 0, paused: false });
  });

  it('percent floors, stays within 0..100 and is 0 with nothing to send', () => {
    expect(activityPercent({ totalBytes: 1000, sentBytes: 999 })).toBe(99);
    expect(activityPercent({ totalBytes: 1000, sentBytes: 1000 })).toBe(100);
    expect(activityPercent({ totalBytes: 1000, sentBytes: 2000 })).toBe(100);
    expect(activityPercent({ totalBytes: 1000, sentBytes: -5 })).toBe(0);
    expect(activityPercent({ totalBytes: 0, sentBytes: 0 })).toBe(0);
    expect(activityPercent({ totalBytes: Number.NaN, sentBytes: 0 })).toBe(0);
  });

  const base: Activity = { activeJobs: 0, pausedJobs: 0, totalBytes: 0, sentBytes: 0, speedBps: 0, paused: false };

  it('tooltip: idle, uploading (speed only while moving) and paused, with one file or many', () => {
    expect(activityTooltip(base)).toBe('Ferry');
    expect(activityTooltip({ ...base, activeJobs: 3, totalBytes: 100, sentBytes: 42, speedBps: 2_202_010 })).toBe('Ferry — uploading 3 files, 42 %, 2.1 MB/s');
    expect(activityTooltip({ ...base, activeJobs: 1, totalBytes: 100, sentBytes: 5 })).toBe('Ferry — uploading 1 file, 5 %');
    expect(activityTooltip({ ...base, pausedJobs: 2, paused: true, totalBytes: 100, sentBytes: 50 })).toBe('Ferry — paused, 2 files, 50 %');
  });

  it('window title: progress first while uploading, "Paused" when paused, plain name when idle', () => {
    expect(activityTitle(base)).toBe('Ferry');
    expect(activityTitle({ ...base, activeJobs: 1, totalBytes: 100, sentBytes: 42 })).toBe('42 % · uploading 1 file — Ferry');
    expect(activityTitle({ ...base, activeJobs: 2, totalBytes: 100, sentBytes: 42 })).toBe('42 % · uploading 2 files — Ferry');
    expect(activityTitle({ ...base, pausedJobs: 1, paused: true, totalBytes: 100, sentBytes: 10 })).toBe('Paused, 1 file, 10 % — Ferry');
  });
});
