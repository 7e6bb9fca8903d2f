import type { AppError } from '../../../src-shared/errors.js';

/**
 * Chunk-size policy of Filestack Intelligent Ingestion (spec §4.2, reliability matrix row 4).
 * Pure: no I/O, no clocks. The official JS client "halves" but then re-sends the whole rest of
 * the part, so it never really shrinks; Ferry does: a failed chunk is retried at half its length
 * (from the same offset) down to a 32 KiB floor, and the size grows back after a run of successes.
 */

/** Every SDK uses fixed 8 MiB parts in FII mode. */
export const FII_PART_SIZE = 8 * 1024 * 1024;
/** Smallest chunk any SDK sends; a failure at this size ends the upload. */
export const MIN_CHUNK_SIZE = 32 * 1024;
/** Consecutive successful chunks before the chunk size doubles again. */
export const DEFAULT_GROW_AFTER = 4;

/** Chunk size for the next chunk and the current run of successes. */
export type ChunkState = {
  /** Bytes; the next chunk is min(size, rest of the part). */
  readonly size: number;
  /** Successful chunks since the last failure or growth. */
  readonly streak: number;
};

export type ChunkLimits = {
  readonly max: number;
  readonly min: number;
  readonly growAfter: number;
};

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { max: FII_PART_SIZE, min: MIN_CHUNK_SIZE, growAfter: DEFAULT_GROW_AFTER };

/** Starting state; `size` is clamped into [min, max]. */
export function initialChunkState(size: number = FII_PART_SIZE, limits: ChunkLimits = DEFAULT_CHUNK_LIMITS): ChunkState {
  return { size: Math.min(limits.max, Math.max(limits.min, Math.floor(size))), streak: 0 };
}

/** After a chunk was stored: count it, and double the size (up to max) after `growAfter` in a row. */
export function chunkSucceeded(state: ChunkState, limits: ChunkLimits = DEFAULT_CHUNK_LIMITS): ChunkState {
  const streak = state.streak + 1;
  if (streak < limits.growAfter || state.size >= limits.max) return { size: state.size, streak: Math.min(streak, limits.growAfter) };
  return { size: Math.min(limits.max, state.size * 2), streak: 0 };
}

/**
 * After a chunk of `attempted` bytes failed in a way a smaller chunk may survive: the next try
 * (same offset) is half of what was actually attempted, so the sizes strictly decrease even for
 * a short tail chunk. Null once the failed chunk was already at (or below) the floor.
 */
export function chunkFailed(state: ChunkState, attempted: number, limits: ChunkLimits = DEFAULT_CHUNK_LIMITS): ChunkState | null {
  const tried = Math.min(state.size, attempted);
  if (tried <= limits.min) return null;
  return { size: Math.max(limits.min, Math.floor(tried / 2)), streak: 0 };
}

/**
 * What a chunk failure means:
 * - `shrink`: network error, timeout, stall, 5xx, 408, or a BadDigest (bytes damaged in
 *   transit) — retry the same offset with a smaller chunk;
 * - `wait`: 429 — the size is not the problem; back off (Retry-After) and retry the same chunk;
 * - `fatal`: any other 4xx, protocol or file error, or an abort.
 */
export function classifyChunkFailure(err: AppError): 'shrink' | 'wait' | 'fatal' {
  const status = typeof err.details?.status === 'number' ? err.details.status : null;
  if (err.code === 'aborted') return 'fatal';
  if (status === 429 || err.code === 'rate_limited') return 'wait';
  if (status === 408) return 'shrink';
  if (err.details?.serverCode === 'BadDigest') return 'shrink';
  if (status !== null && status >= 500) return 'shrink';
  if (status === null && (err.code === 'network' || err.code === 'timeout' || err.code === 'stalled' || err.code === 'server_error')) return 'shrink';
  return 'fatal';
}
