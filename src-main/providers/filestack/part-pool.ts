import { createHash } from 'node:crypto';
import { appError, FerryError, type AppError } from '../../../src-shared/errors.js';
import type { RetryPolicy } from '../../engine/retry.js';
import type { UploadSource } from '../../engine/ports.js';
import type { MultipartSession } from './checkpoint.js';
import { readRange } from './file-reader.js';
import { putPart, requestPartUrl, type ApiConfig } from './multipart-api.js';
import { withRetry } from './retry-loop.js';

/** A BadDigest means the bytes changed in transit; re-reading and re-sending can help, a few times. */
export const MAX_BAD_DIGEST_RETRIES = 3;

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
};

function isBadDigest(err: AppError): boolean {
  return err.details?.serverCode === 'BadDigest';
}

/**
 * Uploads every part not yet confirmed with at most `concurrency` in flight. Each part is read
 * by range (never the whole file), hashed, given a URL by /multipart/upload and PUT. The first
 * fatal part error stops the pool and is rethrown.
 */
export async function uploadParts(o: PartPoolOptions): Promise<void> {
  const { partSize, source } = o;
  const partCount = Math.ceil(source.size / partSize);
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

  const local = new AbortController();
  const onAbort = (): void => local.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let failure: unknown = null;

  const sendPart = async (n: number): Promise<void> => {
    const offset = (n - 1) * partSize;
    const length = lengthOf(n);
    let badDigests = 0;
    const etag = await withRetry(
      async () => {
        inFlight.set(n, 0);
        const bytes = await readRange(source.path, offset, length);
        const md5 = createHash('md5').update(bytes).digest('base64');
        const target = await requestPartUrl(o.cfg, o.session, { number: n, size: length, md5 }, local.signal);
        return putPart(
          target,
          bytes,
          local.signal,
          (sent) => {
            inFlight.set(n, sent);
            report();
          },
          o.timeoutMs,
        );
      },
      {
        policy: o.policy,
        signal: local.signal,
        reclassify: (err) => {
          if (!isBadDigest(err)) return err;
          badDigests++;
          return badDigests <= MAX_BAD_DIGEST_RETRIES ? { ...err, retryable: true } : err;
        },
        onRetry: () => inFlight.set(n, 0),
      },
    );
    inFlight.delete(n);
    confirmedBytes += length;
    o.onConfirmed(n, etag);
    report();
  };

  const worker = async (): Promise<void> => {
    while (failure === null && !local.signal.aborted) {
      const n = pending.shift();
      if (n === undefined) return;
      try {
        await sendPart(n);
      } catch (err) {
        if (failure === null) failure = err;
        local.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.concurrency, pending.length) }, () => worker()));
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
  if (failure !== null) throw failure;
  if (o.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
}
