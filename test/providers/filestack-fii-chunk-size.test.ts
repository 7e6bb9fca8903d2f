import { describe, expect, it } from 'vitest';
import { appError } from '../../src-shared/errors.js';
import {
  chunkFailed,
  chunkSucceeded,
  classifyChunkFailure,
  FII_PART_SIZE,
  initialChunkState,
  MIN_CHUNK_SIZE,
  type ChunkState,
} from '../../src-main/providers/filestack/chunk-size.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('FII chunk-size policy', () => {
  it('starts at the whole 8 MiB part and clamps odd starting sizes into [32 KiB, 8 MiB]', () => {
    expect(initialChunkState()).toEqual({ size: FII_PART_SIZE, streak: 0 });
    expect(initialChunkState(1).size).toBe(MIN_CHUNK_SIZE);
    expect(initialChunkState(64 * MiB).size).toBe(FII_PART_SIZE);
  });

  it('halves on each consecutive failure, strictly decreasing, and gives up only at the 32 KiB floor', () => {
    const sizes: number[] = [];
    let state: ChunkState | null = initialChunkState();
    while (state !== null) {
      sizes.push(state.size);
      state = chunkFailed(state, state.size);
    }
    expect(sizes).toEqual([8 * MiB, 4 * MiB, 2 * MiB, 1 * MiB, 512 * KiB, 256 * KiB, 128 * KiB, 64 * KiB, 32 * KiB]);
    expect(sizes.every((s, i) => i === 0 || s < (sizes[i - 1] ?? 0))).toBe(true);
  });

  it('halves what was actually attempted, so a short tail chunk shrinks too, never below the floor', () => {
    expect(chunkFailed(initialChunkState(), 100 * KiB)).toEqual({ size: 50 * KiB, streak: 0 });
    expect(chunkFailed(initialChunkState(), 40 * KiB)).toEqual({ size: 32 * KiB, streak: 0 });
    expect(chunkFailed(initialChunkState(), 20 * KiB)).toBeNull();
  });

  it('doubles back after 4 successes in a row, up to 8 MiB, and a failure resets the streak', () => {
    let s: ChunkState = { size: 1 * MiB, streak: 0 };
    for (let i = 0; i < 3; i++) s = chunkSucceeded(s);
    expect(s).toEqual({ size: 1 * MiB, streak: 3 });
    s = chunkSucceeded(s);
    expect(s).toEqual({ size: 2 * MiB, streak: 0 });
    const failed = chunkFailed({ size: 2 * MiB, streak: 3 }, 2 * MiB);
    expect(failed).toEqual({ size: 1 * MiB, streak: 0 });
    let top: ChunkState = { size: 4 * MiB, streak: 0 };
    for (let i = 0; i < 12; i++) top = chunkSucceeded(top);
    expect(top.size).toBe(8 * MiB);
  });

  it('classifies failures: transport and 5xx shrink, 429 waits, other 4xx are fatal', () => {
    const status = (code: Parameters<typeof appError>[0], s: number, extra: Record<string, string> = {}) =>
      appError(code, 'x', { details: { status: s, ...extra } });
    expect(classifyChunkFailure(appError('network', 'reset'))).toBe('shrink');
    expect(classifyChunkFailure(appError('timeout', 'slow'))).toBe('shrink');
    expect(classifyChunkFailure(appError('stalled', 'stuck'))).toBe('shrink');
    expect(classifyChunkFailure(status('server_error', 503))).toBe('shrink');
    expect(classifyChunkFailure(status('protocol', 408))).toBe('shrink');
    expect(classifyChunkFailure(status('bad_request', 400, { serverCode: 'BadDigest' }))).toBe('shrink');
    expect(classifyChunkFailure(status('rate_limited', 429))).toBe('wait');
    expect(classifyChunkFailure(status('forbidden', 403))).toBe('fatal');
    expect(classifyChunkFailure(status('not_found', 404))).toBe('fatal');
    expect(classifyChunkFailure(status('bad_request', 400))).toBe('fatal');
    expect(classifyChunkFailure(appError('aborted', 'stop'))).toBe('fatal');
    expect(classifyChunkFailure(appError('file_changed', 'changed'))).toBe('fatal');
  });
});
