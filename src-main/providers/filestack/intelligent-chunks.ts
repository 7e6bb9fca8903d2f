import { createHash } from 'node:crypto';
import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import { parseRetryAfter, retryDelay, type RetryPolicy } from '../../engine/retry.js';
import type { MultipartSession } from './checkpoint.js';
import { chunkFailed, chunkSucceeded, classifyChunkFailure, DEFAULT_CHUNK_LIMITS, initialChunkState, type ChunkLimits } from './chunk-size.js';
import type { BlockMd5s } from './block-md5.js';
import { acquireBuffer, releaseBuffer, type SourceFile } from './file-reader.js';
import { putChunk, requestChunkUrl } from './intelligent-api.js';
import type { ApiConfig } from './multipart-api.js';
import { sleep, withRetry, type RetryOptions } from './retry-loop.js';

export type ChunkedPartOptions = {
  readonly cfg: ApiConfig;
  readonly session: MultipartSession;
  /** The source, open for the whole attempt. */
  readonly file: SourceFile;
  /** 1-based part number. */
  readonly part: number;
  /** Byte offset of the part in the file, and its length. */
  readonly partStart: number;
  readonly partLength: number;
  /** Chunk size to begin with (the size the previous part ended at). */
  readonly initialChunkSize: number;
  readonly limits?: ChunkLimits;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  /** Attempt-wide pacing for the /multipart/upload calls. */
  readonly retry?: Pick<RetryOptions, 'pacer' | 'onEvent'>;
  /** Bytes of this part stored or in flight; may go back after a failed chunk. */
  readonly onBytes: (bytes: number) => void;
  /** The engine's content-key blocks, hashed from the chunks as they go (block-md5.ts). */
  readonly blocks?: BlockMd5s;
  /** Waits for a PUT slot (the attempt's concurrency); resolves to its release. None: no limit. */
  readonly slot?: (signal: AbortSignal) => Promise<() => void>;
};

/** A retried chunk waits like any retry, but the halving itself is not budgeted by maxRetries. */
function backoff(failures: number, policy: RetryPolicy, retryAfter: number | null): number {
  const delay = retryDelay(failures, appError('network', 'retry', { retryable: true }), { ...policy, maxRetries: Number.MAX_SAFE_INTEGER }, retryAfter);
  return delay ?? policy.baseDelayMs;
}

/**
 * Sends one part as sequential chunks (spec §4.1): each chunk gets its own /multipart/upload
 * (fii, offset, size, md5 of the chunk) and a PUT. A chunk that fails transiently is retried
 * from the same offset at half its size (chunk-size.ts); below the 32 KiB floor the upload fails
 * with the last error's code and `details.reason = 'fii_chunk_floor'`. Resolves with the chunk
 * size reached, which the next part starts from, and the MD5s (base64) of the chunks that make
 * up the part, in order (the server's composite ETag is built from the same list).
 */
export async function sendChunkedPart(o: ChunkedPartOptions): Promise<{ chunkSize: number; md5s: string[] }> {
  const limits = o.limits ?? DEFAULT_CHUNK_LIMITS;
  let state = initialChunkState(o.initialChunkSize, limits);
  let offset = 0;
  let failures = 0;
  let waits = 0;
  const md5s: string[] = [];
  while (offset < o.partLength) {
    const at = o.partStart + offset;
    // Chunks are not cut at block starts to share more of the hashing: measured, the extra
    // requests cost the server what the client saved, and held copies grew the client's memory.
    const length = Math.min(state.size, o.partLength - offset);
    const bytes = await o.file.read(at, acquireBuffer(length));
    try {
      const md5 = o.blocks ? o.blocks.chunkMd5(at, bytes) : createHash('md5').update(bytes).digest('base64');
      const chunk = { part: o.part, offset, size: length, md5 };
      // The API call is retried like any other call; only the PUT's failures say "too big".
      const target = await withRetry(() => requestChunkUrl(o.cfg, o.session, chunk, o.signal), { policy: o.policy, signal: o.signal, ...o.retry });
      const base = offset;
      try {
        const release = o.slot ? await o.slot(o.signal) : null;
        try {
          await putChunk(o.cfg, target, bytes, o.signal, (sent) => o.onBytes(base + sent));
        } finally {
          release?.();
        }
      } catch (thrown) {
        if (o.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
        const err = toAppError(thrown);
        o.onBytes(offset);
        const kind = classifyChunkFailure(err);
        if (kind === 'fatal') throw thrown instanceof FerryError ? thrown : new FerryError(err);
        const retryAfter = typeof err.details?.retryAfter === 'string' ? parseRetryAfter(err.details.retryAfter, Date.now()) : null;
        if (kind === 'wait') {
          waits++;
          if (waits > o.policy.maxRetries) throw thrown instanceof FerryError ? thrown : new FerryError(err);
          await sleep(backoff(waits, o.policy, retryAfter), o.signal);
          continue;
        }
        const next = chunkFailed(state, length, limits);
        if (next === null) {
          throw new FerryError(
            appError(err.code, `Part ${o.part} failed even with ${length}-byte chunks (the ${limits.min}-byte floor): ${err.message}`, {
              retryable: err.retryable,
              details: { reason: 'fii_chunk_floor', part: o.part, offset, chunkSize: length, ...(typeof err.details?.status === 'number' ? { status: err.details.status } : {}) },
            }),
          );
        }
        state = next;
        failures++;
        await sleep(backoff(failures, o.policy, retryAfter), o.signal);
        continue;
      }
      offset += length;
      md5s.push(md5);
      failures = 0;
      state = chunkSucceeded(state, limits);
      o.onBytes(offset);
    } finally {
      releaseBuffer(bytes);
    }
  }
  return { chunkSize: state.size, md5s };
}
