import { describe, expect, it } from 'vitest';
import { restartsFromZero, statusLabel } from '../../src-renderer/lib/format.js';
import type { JobView } from '../../src-shared/model/job.js';

const err = { code: 'network' as const, message: 'socket hang up', retryable: true };

describe('restartsFromZero (ImageKit has no resumable upload)', () => {
  it.each<[JobView['destination'], JobView['status'], number, boolean]>([
    ['imagekit', { kind: 'retrying', attempt: 2, error: err, retryAt: 0 }, 500, true],
    ['imagekit', { kind: 'paused', reason: 'user' }, 500, true],
    ['imagekit', { kind: 'paused', reason: 'user' }, 0, false],
    ['imagekit', { kind: 'uploading' }, 500, false],
    ['filestack', { kind: 'retrying', attempt: 2, error: err, retryAt: 0 }, 500, false],
    ['local', { kind: 'paused', reason: 'user' }, 500, false],
  ])('%s %j with %d bytes sent → %s', (destination, status, bytesSent, want) => {
    expect(restartsFromZero({ destination, status, bytesSent })).toBe(want);
  });

  it('statusLabel counts a retry down in whole seconds', () => {
    expect(statusLabel({ kind: 'retrying', attempt: 2, error: err, retryAt: 10_500 }, 8_000)).toBe('Retrying in 3s');
    expect(statusLabel({ kind: 'retrying', attempt: 2, error: err, retryAt: 1_000 }, 8_000)).toBe('Retrying');
  });
});
