import { lookup } from 'mime-types';
import { appError, type AppError } from '../../src-shared/errors.js';
import type { Job, UploadResult } from '../../src-shared/model/job.js';
import { classifyFailure } from './classify.js';
import { hashContent, type ContentDigest, type DigestedSource } from './content-hash.js';
import type { EngineFs } from './file-system.js';
import type { UploadHistory, UploadHistoryEntry } from './journal/types.js';
import type { JobStore, Provider } from './ports.js';
import type { JobEvent } from './transition.js';

/** What one attempt may touch; the engine supplies it. */
export type AttemptContext = {
  readonly fs: EngineFs;
  readonly store: JobStore;
  readonly provider: Provider;
  readonly signal: AbortSignal;
  /** False once the attempt was paused, canceled or superseded: its results are then ignored. */
  readonly isCurrent: () => boolean;
  readonly get: () => Job | undefined;
  readonly apply: (event: JobEvent) => Job | undefined;
  /** Updates a job field that is not status (the source size); persists and pushes it. */
  readonly patch: (patch: Partial<Pick<Job, 'size'>>) => void;
  /** Upload history for content-hash dedupe; null = no hashing, no dedupe (plain JobStore). */
  readonly history: Pick<UploadHistory, 'findUploaded'> | null;
  /** Marks the job `duplicate` of `existing` (what findUploaded returned), recording its name durably (done-record.ts). */
  readonly foundDuplicate: (existing: UploadHistoryEntry) => void;
  /** Records the verified upload (the `verified` event) durably, with the source digest if any. */
  readonly complete: (result: UploadResult, digest: ContentDigest | null) => void;
};

export type AttemptOutcome = { kind: 'done' } | { kind: 'duplicate' } | { kind: 'ignored' } | { kind: 'failed'; error: AppError };

/**
 * Runs one upload attempt of a job already marked `uploading`: re-checks the source (it may have
 * been emptied, removed or locked since it was queued), then hands it to the provider, which
 * resolves only after verifying the stored object. Never throws.
 */
export async function runAttempt(ctx: AttemptContext): Promise<AttemptOutcome> {
  try {
    const job = ctx.get();
    if (!job) return { kind: 'ignored' };
    const facts = await ctx.fs.stat(job.sourcePath);
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    if (!facts.isFile()) return failed(appError('not_a_file', 'The path is not a regular file.', { retryable: false }));
    if (facts.size === 0) return failed(emptyFileError());
    // Upload what is there now; a file that changed size since it was queued is not an error.
    if (facts.size !== job.size) ctx.patch({ size: facts.size });
    // Probe readability up front so a locked file fails as `permission`, without a retry loop.
    const handle = await ctx.fs.open(job.sourcePath);
    await handle.close();
    if (!ctx.isCurrent()) return { kind: 'ignored' };

    // Dedupe needs the hash before any byte goes out: one streaming pass, bounded memory.
    const digest = ctx.history ? await hashContent(job.sourcePath, ctx.signal) : null;
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    const existing = digest && !job.allowDuplicate ? ctx.history?.findUploaded(digest.sha256, job.destination) : null;
    if (existing) {
      ctx.foundDuplicate(existing);
      return { kind: 'duplicate' };
    }

    const source: DigestedSource = {
      path: job.sourcePath,
      name: job.name,
      relativePath: job.relativePath,
      size: facts.size,
      mimetype: mimetypeFor(job.name),
      // A provider that verifies by MD5 reuses it when the file is still this version (no second read).
      ...(digest ? { digest } : {}),
    };
    const result: UploadResult = await ctx.provider.upload(source, {
      signal: ctx.signal,
      onProgress: (bytesSent) => {
        if (ctx.isCurrent()) ctx.apply({ type: 'progressed', bytesSent });
      },
      checkpoint: ctx.store.checkpoint(job.id),
    });
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    // The server's MD5 is of the stored bytes; ours is of the bytes we hashed. If they differ
    // the file changed between the two reads and the SHA-256 would index the wrong content.
    if (digest && (digest.size !== source.size || (result.md5 !== undefined && result.md5.toLowerCase() !== digest.md5))) {
      return failed(appError('file_changed', `${job.name} changed while it was uploading.`, { retryable: false }));
    }
    ctx.apply({ type: 'uploaded' });
    ctx.complete(result, digest);
    return { kind: 'done' };
  } catch (thrown) {
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    return failed(classifyFailure(thrown));
  }
}

/** The decided outcome for zero-byte files: visible, final, not retried. */
export function emptyFileError(): AppError {
  return appError('empty_file', 'Skipped: the file is empty', { retryable: false });
}

/** Content type from the name's extension, else a generic binary type. */
export function mimetypeFor(name: string): string {
  return lookup(name) || 'application/octet-stream';
}

function failed(error: AppError): AttemptOutcome {
  return { kind: 'failed', error };
}
