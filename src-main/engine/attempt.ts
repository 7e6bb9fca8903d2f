import { lookup } from 'mime-types';
import { appError, FerryError, type AppError } from '../../src-shared/errors.js';
import type { Job, UploadResult } from '../../src-shared/model/job.js';
import { classifyFailure } from './classify.js';
import { contentKeyOf, contentKeyOfFile, createContentKey, sameVersion, versionKey, versionOf, type FileKey, type FileVersion } from './content-key.js';
import type { EngineFs } from './file-system.js';
import type { UploadHistory, UploadHistoryEntry } from './journal/types.js';
import type { ContentKeyFeed, JobStore, Provider, UploadContext, UploadSource } from './ports.js';
import type { JobEvent } from './transition.js';
import { readWhole, WHOLE_READ_MAX } from './whole-read.js';

/** What the history records about the bytes an upload stored (done-record.ts). */
export type UploadedContent = {
  /** Content key (content-key.ts). */
  readonly key: string;
  readonly size: number;
  /** The source's version (versionKey) when it stayed the same through the upload, else null. */
  readonly version: string | null;
};

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
  /** Upload history for dedupe; null = no content key, no dedupe (plain JobStore). */
  readonly history: Pick<UploadHistory, 'findUploaded' | 'findByVersion' | 'hasSize'> | null;
  /**
   * Marks the job `duplicate` of `existing` (what the history returned), recording its name
   * durably (done-record.ts); `version` is this source's own (versionKey), when known.
   */
  readonly foundDuplicate: (existing: UploadHistoryEntry, version: string | null) => void;
  /** Records the verified upload (`uploaded`, then `verified`) durably, with what was stored if known. */
  readonly complete: (result: UploadResult, content: UploadedContent | null) => void;
};

export type AttemptOutcome = { kind: 'done' } | { kind: 'duplicate' } | { kind: 'ignored' } | { kind: 'failed'; error: AppError };

/**
 * Runs one upload attempt of a job already marked `uploading`: re-checks the source (it may have
 * been emptied, removed or locked since it was queued), looks for an earlier upload of the same
 * content, then hands it to the provider, which resolves only after verifying the stored object.
 * Nothing reads the whole file before the first byte goes out unless it could be a duplicate
 * (an earlier upload has its exact size), or it is small: then it is read once, whole, and those
 * bytes are both the dedupe key and what is sent (whole-read.ts). Never throws.
 */
export async function runAttempt(ctx: AttemptContext): Promise<AttemptOutcome> {
  try {
    const job = ctx.get();
    if (!job) return { kind: 'ignored' };
    const small = job.size <= WHOLE_READ_MAX ? await attemptWhole(ctx, job) : null;
    if (small !== null) return small;
    const facts = await ctx.fs.stat(job.sourcePath);
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    if (!facts.isFile()) return failed(notAFileError());
    if (facts.size === 0) return failed(emptyFileError());
    // Upload what is there now; a file that changed size since it was queued is not an error.
    if (facts.size !== job.size) ctx.patch({ size: facts.size });
    // Probe readability up front so a locked file fails as `permission`, without a retry loop.
    const handle = await ctx.fs.open(job.sourcePath);
    await handle.close();
    if (!ctx.isCurrent()) return { kind: 'ignored' };

    const before = ctx.history ? await versionOf(job.sourcePath) : null;
    let known: FileKey | null = null;
    if (ctx.history && !job.allowDuplicate) {
      const found = await findDuplicate(ctx.history, job, facts.size, before, ctx.signal);
      if (!ctx.isCurrent()) return { kind: 'ignored' };
      if (found.existing) {
        ctx.foundDuplicate(found.existing, before ? versionKey(before) : null);
        return { kind: 'duplicate' };
      }
      known = found.key;
    }

    const source = sourceOf(job, facts.size);
    // A provider that reads the file in key-sized blocks fills the key in as it goes.
    const feed = ctx.history ? createContentKey(facts.size) : null;
    const result: UploadResult = await ctx.provider.upload(source, uploadContext(ctx, job, feed));
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    const content = feed ? await uploadedContent(job, facts.size, feed.result(), known, before, ctx.signal) : null;
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    ctx.complete(result, content);
    return { kind: 'done' };
  } catch (thrown) {
    if (!ctx.isCurrent()) return { kind: 'ignored' };
    return failed(classifyFailure(thrown));
  }
}

/** The attempt of a small source (whole-read.ts), or null when it must go the regular way. Throws like the provider. */
async function attemptWhole(ctx: AttemptContext, job: Job): Promise<AttemptOutcome | null> {
  // This very file version uploaded before is a duplicate without a read.
  const history = ctx.history;
  const seenBefore = history && !job.allowDuplicate ? (v: FileVersion) => history.findByVersion(versionKey(v), job.destination) : () => null;
  const whole = await readWhole(ctx.fs, job.sourcePath, seenBefore);
  if (!ctx.isCurrent()) return { kind: 'ignored' };
  switch (whole.kind) {
    case 'not-a-file':
      return failed(notAFileError());
    case 'known':
      ctx.foundDuplicate(whole.found, versionKey(whole.version));
      return { kind: 'duplicate' };
    case 'read':
      return runWhole(ctx, job, whole.bytes, whole.version);
    case 'regular':
      return null;
  }
}

/**
 * The attempt of a source read whole (whole-read.ts): its bytes give the dedupe key and are what
 * the provider sends, and `version` is theirs, so no later look at the file is needed. Throws
 * like the provider; runAttempt classifies.
 */
async function runWhole(ctx: AttemptContext, job: Job, bytes: Buffer, version: FileVersion): Promise<AttemptOutcome> {
  if (bytes.length === 0) return failed(emptyFileError());
  if (bytes.length !== job.size) ctx.patch({ size: bytes.length });
  const key = ctx.history ? contentKeyOf(bytes) : null;
  const versioned = versionKey(version);
  if (ctx.history && key !== null && !job.allowDuplicate) {
    const existing = ctx.history.findUploaded(key, job.destination);
    if (existing) {
      ctx.foundDuplicate(existing, versioned);
      return { kind: 'duplicate' };
    }
  }
  const result = await ctx.provider.upload(sourceOf(job, bytes.length, bytes), uploadContext(ctx, job, null));
  if (!ctx.isCurrent()) return { kind: 'ignored' };
  ctx.complete(result, key !== null ? { key, size: bytes.length, version: versioned } : null);
  return { kind: 'done' };
}

/** What the provider is given to upload: the job's file as it is now (`bytes` when read whole). */
function sourceOf(job: Job, size: number, bytes?: Buffer): UploadSource {
  return { path: job.sourcePath, name: job.name, relativePath: job.relativePath, size, mimetype: mimetypeFor(job.name), ...(bytes ? { bytes } : {}) };
}

/** What the provider reports goes to the job while this attempt is current. */
function uploadContext(ctx: AttemptContext, job: Job, contentKey: ContentKeyFeed | null): UploadContext {
  return {
    signal: ctx.signal,
    onProgress: (bytesSent) => {
      if (ctx.isCurrent()) ctx.apply({ type: 'progressed', bytesSent });
    },
    checkpoint: ctx.store.checkpoint(job.id),
    ...(contentKey ? { contentKey } : {}),
    onTrouble: (error, retryAt) => {
      if (ctx.isCurrent() && ctx.get()?.status.kind === 'uploading') ctx.apply({ type: 'hit-trouble', error, retryAt });
    },
  };
}

/**
 * The dedupe pre-check: this very file version uploaded before is a duplicate without a read;
 * a file with the size of an earlier upload is read once for its content key; any other size
 * cannot be a duplicate. Returns the key it read (reused when the provider's blocks do not make one).
 */
async function findDuplicate(
  history: NonNullable<AttemptContext['history']>,
  job: Job,
  size: number,
  before: FileVersion | null,
  signal: AbortSignal,
): Promise<{ existing: UploadHistoryEntry | null; key: FileKey | null }> {
  const same = before ? history.findByVersion(versionKey(before), job.destination) : null;
  if (same) return { existing: same, key: null };
  if (!history.hasSize(size, job.destination)) return { existing: null, key: null };
  const key = await contentKeyOfFile(job.sourcePath, signal);
  return { existing: key.version ? history.findUploaded(key.key, job.destination) : null, key };
}

/**
 * The content key of what was stored: from the provider's blocks when it fed them all (those are
 * the bytes it sent and verified), else read from the file, which must still be the version the
 * upload started from — otherwise nobody can say which content the server holds (file_changed).
 */
async function uploadedContent(job: Job, size: number, fed: string | null, known: FileKey | null, before: FileVersion | null, signal: AbortSignal): Promise<UploadedContent> {
  const after = await versionOf(job.sourcePath);
  const unchanged = sameVersion(before, after);
  const version = unchanged && before ? versionKey(before) : null;
  if (fed !== null) return { key: fed, size, version };
  const changed = (): FerryError => new FerryError(appError('file_changed', `${job.name} changed while it was uploading.`, { retryable: false }));
  if (!unchanged) throw changed();
  if (known?.version && sameVersion(known.version, before)) return { key: known.key, size, version };
  const read = await contentKeyOfFile(job.sourcePath, signal);
  if (!read.version || !sameVersion(read.version, before)) throw changed();
  return { key: read.key, size, version };
}

function notAFileError(): AppError {
  return appError('not_a_file', 'The path is not a regular file.', { retryable: false });
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
