import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';
import { DESTINATION_KINDS } from './destination-kinds.js';

/** Wire schema of AppError (see errors.ts); details stay flat and serialisable. */
export const appErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

/** Where a job goes. `local` is the embedded local cloud, the default on first launch. */
export const destinationKindSchema = z.enum(DESTINATION_KINDS);
export type DestinationKind = z.infer<typeof destinationKindSchema>;

/** What a verified upload produced. `url` is the link users copy. */
export const uploadResultSchema = z.object({
  url: z.string(),
  /** Filestack handle or ImageKit fileId. */
  remoteId: z.string(),
  /** Bytes stored remotely; equals the source size when verified. */
  size: z.number().int().nonnegative(),
  mimetype: z.string(),
  filename: z.string(),
  /** Lowercase hex MD5 of the stored bytes when the server reported one. */
  md5: z.string().optional(),
  /**
   * The engine's content key of the bytes sent (src-main/engine/content-key.ts, 64 hex), when it
   * knew it: the dedupe key, and how a restarted watch folder recognises the file it uploaded.
   */
  contentKey: z.string().optional(),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;

/** An earlier verified upload of the same bytes (from the journal's history). */
export const existingUploadSchema = z.object({
  url: z.string(),
  remoteId: z.string(),
  /** Epoch ms. */
  finishedAt: z.number(),
});
export type ExistingUpload = z.infer<typeof existingUploadSchema>;

/**
 * Job status is one discriminated union; only `transition()` in the engine changes it.
 * Times are epoch milliseconds.
 */
/**
 * A transient failure the provider is waiting out inside a running attempt (it retries the
 * request itself at `retryAt`): shown at once, so "uploading 0 B" never hides a dead network.
 */
export const jobTroubleSchema = z.object({ error: appErrorSchema, retryAt: z.number() });
export type JobTrouble = z.infer<typeof jobTroubleSchema>;

export const jobStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('queued') }),
  /** `trouble`: the last request failed and the provider retries it at `trouble.retryAt`; cleared when bytes move. */
  z.object({ kind: z.literal('uploading'), trouble: jobTroubleSchema.optional() }),
  z.object({ kind: z.literal('verifying') }),
  z.object({
    kind: z.literal('retrying'),
    attempt: z.number().int().positive(),
    retryAt: z.number(),
    error: appErrorSchema,
  }),
  z.object({
    kind: z.literal('paused'),
    /** `user`: paused by hand; `auth`: credentials refused, waits for the user; `unstable`: file still changing. */
    reason: z.enum(['user', 'auth', 'unstable']),
    error: appErrorSchema.optional(),
  }),
  z.object({ kind: z.literal('done'), result: uploadResultSchema, verifiedAt: z.number() }),
  z.object({ kind: z.literal('failed'), error: appErrorSchema }),
  z.object({ kind: z.literal('canceled') }),
  /** The same bytes were already uploaded to this destination: the earlier link is offered instead. */
  z.object({ kind: z.literal('duplicate'), existing: existingUploadSchema }),
]);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export type JobStatusKind = JobStatus['kind'];

/** A job as the engine keeps it. `sourcePath` never leaves the main process in views. */
export type Job = {
  readonly id: string;
  /** Display and remote file name (sanitised). */
  readonly name: string;
  /** Path relative to a dropped folder, with `/` separators; null for single files. */
  readonly relativePath: string | null;
  readonly sourcePath: string;
  /** Source size in bytes when queued. */
  readonly size: number;
  readonly destination: DestinationKind;
  readonly status: JobStatus;
  /** Bytes confirmed or in flight for the current attempt (0..size). */
  readonly bytesSent: number;
  /**
   * Tries so far (1 on the first). Only an automatic retry after a failure adds one: a user's
   * pause/resume, "Retry now", a restart or "upload anyway" continue the count or start it over,
   * so "attempt 3" always means two tries failed (and the retry budget is not spent by pauses).
   */
  readonly attempts: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Set by "upload anyway": skip the content-hash duplicate check for this job. */
  readonly allowDuplicate?: boolean;
  /** Jobs added together (one drop, pick, paste or watch-folder burst) share this id; absent on jobs from older builds. */
  readonly batchId?: string;
  /** The watch folder that queued this job, if one did (its after-upload link actions apply). */
  readonly watchFolderId?: string;
};

/** The renderer's view of a job: no local paths, plus live rates from the progress tracker. */
export const jobViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  relativePath: z.string().nullable(),
  size: z.number(),
  destination: destinationKindSchema,
  status: jobStatusSchema,
  bytesSent: z.number(),
  attempts: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Smoothed bytes per second while uploading, else 0. */
  speedBps: z.number(),
  /** Seconds left at the current speed, or null when unknown. */
  etaSeconds: z.number().nullable(),
  /**
   * Bytes this attempt sends again that an earlier attempt had already sent (unfinished parts do
   * not survive a pause or a failure), while it is catching up; absent or 0 otherwise. The only
   * time `bytesSent` goes down, and the row says so.
   */
  resentBytes: z.number().optional(),
  batchId: z.string().optional(),
  watchFolderId: z.string().optional(),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** Terminal states never change again except by an explicit user retry (or "upload anyway"). */
export function isTerminal(status: JobStatus): boolean {
  return status.kind === 'done' || status.kind === 'failed' || status.kind === 'canceled' || status.kind === 'duplicate';
}
