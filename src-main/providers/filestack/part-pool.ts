import { createHash } from 'node:crypto';
import { appError, FerryError, type AppError } from '../../../src-shared/errors.js';
import type { RetryPolicy } from '../../engine/retry.js';
import type { UploadSource } from '../../engine/ports.js';
import type { MultipartSession } from './checkpoint.js';
import type { FileGuard } from './file-guard.js';
import { acquireBuffer, createTurnstile, openSource, releaseBuffer } from './file-reader.js';
import { putPart, requestPartUrl, type ApiConfig } from './multipart-api.js';
import { withRetry, type RetryPacer, type UploadEvent } from './retry-loop.js';

/** A BadDigest means the bytes changed in transit; re-reading and re-sending can help, a few times. */
export const MAX_BAD_DIGEST_RETRIES = 3;
/**
 * Parts read, hashed and given their URL ahead of a free PUT slot. Each holds a part buffer, so
 * memory is (concurrency + this) × part size. One was not enough: preparing a part (read, MD5,
 * the /multipart/upload round trip, ~50–80 ms for 8 MiB on a busy 2-core machine) took longer
 * than a slot stayed busy per part (a PUT's time / concurrency, ~40 ms), so a timeline of a
 * 1 GiB upload showed PUTs waiting on their URL and 3 of 3 slots busy only 22 % of the time
 * (44 % with two).
 */
export const LOOKAHEAD_PARTS = 2;
/** S3's hard limit; partSizeFor in provider.ts plans within it, this is the last line of defence. */
const S3_MAX_PARTS = 10_000;

export type PartPoolOptions = {
  readonly cfg: ApiConfig;
  readonly session: MultipartSession;
  readonly source: UploadSource;
  readonly partSize: number;
  readonly concurrency: number;
  /** Parts already confirmed (resumed); they are not sent again. */
  readonly confirmed: ReadonlyMap<number, string>;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  /** Confirmed bytes + bytes written of in-flight parts; never decreases. */
  readonly onProgress: (bytes: number) => void;
  readonly onConfirmed: (part: number, etag: string) => void;
  /** Re-checks the source around every part read (size, mtime, inode, re-read part hashes). */
  readonly guard?: FileGuard;
  /** Attempt-wide backoff and failure budget, shared with start and complete. */
  readonly pacer?: RetryPacer;
  readonly onEvent?: (event: UploadEvent) => void;
  /**
   * Hears every part read that passed the file guard (feeds the whole-file MD5, file-reader.ts
   * createOrderedMd5, and the engine's content key). First reads come in part order; `bytes` is
   * reused after the part is sent, so a listener that keeps it must copy it.
   */
  readonly onPartRead?: (part: number, bytes: Buffer, md5Base64: string) => void;
};

/**
 * Part concurrency that adapts to the server: halved (down to 1) when it answers 429 or 5xx,
 * grown back by one after `limit` × 2 parts succeed in a row. Lowering never interrupts parts
 * already in flight; it only delays the next ones.
 */
export type ConcurrencyGate = {
  readonly limit: number;
  readonly active: number;
  /** Waits for a free slot; the returned function frees it. */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** The server pushed back (429, 5xx). */
  backOff(): void;
  /** A part went through. */
  succeeded(): void;
};

/** Creates a gate allowing `max` at once; `onChange` hears every new limit. */
export function createConcurrencyGate(max: number, onChange?: (limit: number) => void): ConcurrencyGate {
  const ceiling = Math.max(1, Math.floor(max));
  let limit = ceiling;
  let active = 0;
  let streak = 0;
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    while (active < limit && waiters.length > 0) {
      active++;
      (waiters.shift() as () => void)();
    }
  };
  const release = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      wake();
    };
  };
  return {
    get limit() {
      return limit;
    },
    get active() {
      return active;
    },
    async acquire(signal) {
      if (active < limit) {
        active++;
        return release();
      }
      await new Promise<void>((resolve, reject) => {
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = waiters.indexOf(grant);
          if (i >= 0) waiters.splice(i, 1);
          reject(new FerryError(appError('aborted', 'The upload was canceled.')));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(grant);
      });
      return release();
    },
    backOff() {
      streak = 0;
      const next = Math.max(1, Math.floor(limit / 2));
      if (next !== limit) {
        limit = next;
        onChange?.(limit);
      }
    },
    succeeded() {
      streak++;
      if (limit < ceiling && streak >= limit * 2) {
        streak = 0;
        limit++;
        onChange?.(limit);
        wake();
      }
    },
  };
}

/** Server pushback that should thin out parallel requests, not just delay them. */
function isPushback(err: AppError): boolean {
  return err.code === 'rate_limited' || err.code === 'server_error';
}

function isBadDigest(err: AppError): boolean {
  return err.details?.serverCode === 'BadDigest';
}

/**
 * Uploads every part not yet confirmed with at most `concurrency` PUTs in flight. Each part is
 * read by range (never the whole file), hashed, given a URL by /multipart/upload and PUT;
 * LOOKAHEAD_PARTS more are prepared while the slots are busy. The first fatal part error stops the pool and
 * is rethrown.
 */
export async function uploadParts(o: PartPoolOptions): Promise<void> {
  const { partSize, source } = o;
  const partCount = Math.ceil(source.size / partSize);
  if (partCount > S3_MAX_PARTS) {
    throw new FerryError(appError('internal', `Refusing a ${partCount}-part plan; S3 allows at most ${S3_MAX_PARTS} parts.`, { retryable: false }));
  }
  const lengthOf = (n: number): number => Math.min(partSize, source.size - (n - 1) * partSize);
  const pending: number[] = [];
  let confirmedBytes = 0;
  for (let n = 1; n <= partCount; n++) {
    if (o.confirmed.has(n)) confirmedBytes += lengthOf(n);
    else pending.push(n);
  }
  const inFlight = new Map<number, number>();
  let reported = 0;
  const report = (): void => {
    let total = confirmedBytes;
    for (const v of inFlight.values()) total += v;
    // A retried part restarts at 0; keep the figure monotonic as the engine expects.
    if (total > reported) {
      reported = total;
      o.onProgress(total);
    }
  };
  report();

  // One open file and pooled buffers for the whole attempt; first reads take turns in part order.
  const file = await openSource(source.path);
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown = null;

  const gate = createConcurrencyGate(o.concurrency, (limit) => o.onEvent?.({ type: 'concurrency', limit, at: Date.now() }));
  const readOrder = createTurnstile(pending);
  const sendOrder = createTurnstile(pending);
  const unread = new Set(pending);
  const unsent = new Set(pending);

  const sendPart = async (n: number): Promise<void> => {
    const offset = (n - 1) * partSize;
    const length = lengthOf(n);
    let badDigests = 0;
    const etag = await withRetry(
      async (_attempt, yieldProbe) => {
        inFlight.set(n, 0);
        const bytes = acquireBuffer(length);
        try {
          const readPart = async (): Promise<string> => {
            await file.read(offset, bytes);
            const md5 = createHash('md5').update(bytes).digest('base64');
            o.guard?.checkPartHash(n, md5);
            o.onPartRead?.(n, bytes, md5);
            return md5;
          };
          // Waiting for a sibling's turn is not talking to the server: the backoff probe goes to others.
          const first = unread.delete(n);
          if (first) yieldProbe();
          const md5 = first ? await readOrder.turn(n, local.signal, readPart) : await readPart();
          const target = await requestPartUrl(o.cfg, o.session, { number: n, size: length, md5 }, local.signal);
          // Only the PUT takes a slot (the next part is read, hashed and given its URL meanwhile),
          // and first sends take slots in part order, so the server's in-place writes land mostly in file order.
          const acquire = (): Promise<() => void> => gate.acquire(local.signal);
          const firstSend = unsent.delete(n);
          if (firstSend) yieldProbe();
          const release = firstSend ? await sendOrder.turn(n, local.signal, acquire) : await acquire();
          try {
            // Checked after the read and right before sending: these bytes belong to the
            // version captured at the start, or they are not sent.
            await o.guard?.check(`part ${n}`);
            return await putPart(
              target,
              bytes,
              local.signal,
              (sent) => {
                inFlight.set(n, sent);
                report();
              },
              o.timeoutMs,
              o.cfg,
            );
          } finally {
            release();
          }
        } finally {
          // The request is over (answered, failed or destroyed): nothing reads the bytes any more.
          releaseBuffer(bytes);
        }
      },
      {
        policy: o.policy,
        signal: local.signal,
        reclassify: (err) => {
          if (!isBadDigest(err)) return err;
          badDigests++;
          return badDigests <= MAX_BAD_DIGEST_RETRIES ? { ...err, retryable: true } : err;
        },
        onRetry: (err) => {
          inFlight.set(n, 0);
          if (isPushback(err)) gate.backOff();
        },
        ...(o.pacer ? { pacer: o.pacer } : {}),
        ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      },
    );
    gate.succeeded();
    inFlight.delete(n);
    confirmedBytes += length;
    o.onConfirmed(n, etag);
    report();
  };

  const worker = async (): Promise<void> => {
    while (failure === null && !local.signal.aborted && pending.length > 0) {
      try {
        const n = pending.shift();
        if (n === undefined) return;
        await sendPart(n);
      } catch (err) {
        if (failure === null) failure = err;
        local.abort();
      }
    }
  };
  try {
    // LOOKAHEAD_PARTS workers more than PUT slots: they prepare the next parts while the others send.
    await Promise.all(Array.from({ length: Math.min(o.concurrency + LOOKAHEAD_PARTS, pending.length) }, () => worker()));
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    await file.close();
  }
  if (failure !== null) throw failure;
  if (o.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
}
