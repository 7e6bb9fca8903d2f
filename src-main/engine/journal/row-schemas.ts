import { z } from 'zod';
import { destinationKindSchema, jobStatusSchema, type Job } from '../../../src-shared/model/job.js';
import { MADE_KINDS } from '../../../src-shared/model/library.js';
import type { UploadHistoryEntry } from './types.js';

/**
 * Schemas for rows read back from disk. Everything on disk is untrusted: it may come from an
 * older build, a crash mid-write of a different tool, or hand edits.
 */

const epochMs = z.number().int().nonnegative();
const byteCount = z.number().int().nonnegative();

/** A stored Job. Mirrors the `Job` type in src-shared/model/job.ts. */
export const storedJobSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    relativePath: z.string().nullable(),
    sourcePath: z.string().min(1),
    size: byteCount,
    destination: destinationKindSchema,
    status: jobStatusSchema,
    bytesSent: byteCount,
    attempts: z.number().int().nonnegative(),
    createdAt: epochMs,
    updatedAt: epochMs,
    allowDuplicate: z.boolean().optional(),
    batchId: z.string().min(1).max(128).optional(),
    watchFolderId: z.string().min(1).max(64).optional(),
  })
  .refine((job) => job.bytesSent <= job.size, { message: 'bytesSent exceeds size', path: ['bytesSent'] });

/** A stored history row (column names as in the `history` table). */
export const storedHistorySchema = z.object({
  job_id: z.string().min(1),
  destination: destinationKindSchema,
  source_path: z.string(),
  size: byteCount,
  // '' = content key unknown (a file Ferry made remotely); never matches a dedupe lookup.
  sha256: z.string().regex(/^(?:[0-9a-f]{64})?$/),
  url: z.string(),
  remote_id: z.string(),
  finished_at: epochMs,
  // Schema 2; null in older rows (and for plain uploads where the source path says it all).
  name: z.string().min(1).nullish(),
  relative_path: z.string().nullish(),
  mimetype: z.string().nullish(),
  origin: z.enum(MADE_KINDS).nullish(),
  source_id: z.string().min(1).nullish(),
  // Schema 3: the source file's version (dedupe pre-check); null when unknown.
  source_version: z.string().nullish(),
}).refine((r) => (r.origin == null) === (r.source_id == null), { message: 'origin and source_id go together', path: ['origin'] });

/** Validates a job row; returns the job or a short reason (never the row's content). */
export function parseJobRow(id: string, data: string): { ok: true; job: Job } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = storedJobSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid' };
  }
  if (parsed.data.id !== id) return { ok: false, reason: 'id column does not match the stored job' };
  return { ok: true, job: parsed.data };
}

/** The row both journals store for a history entry (the hash lower-cased). */
export function historyRowOf(e: UploadHistoryEntry): Record<string, string | number | null> {
  return {
    job_id: e.jobId,
    destination: e.destination,
    source_path: e.sourcePath,
    size: e.size,
    sha256: e.sha256.toLowerCase(),
    url: e.url,
    remote_id: e.remoteId,
    finished_at: e.finishedAt,
    name: e.name ?? null,
    relative_path: e.relativePath ?? null,
    mimetype: e.mimetype ?? null,
    origin: e.origin ?? null,
    source_id: e.sourceId ?? null,
    source_version: e.sourceVersion ?? null,
  };
}

/** Maps a validated history row to the public entry shape; null when the row is invalid. */
export function parseHistoryRow(row: unknown): UploadHistoryEntry | null {
  const parsed = storedHistorySchema.safeParse(row);
  if (!parsed.success) return null;
  const r = parsed.data;
  return {
    jobId: r.job_id,
    destination: r.destination,
    sourcePath: r.source_path,
    size: r.size,
    sha256: r.sha256,
    url: r.url,
    remoteId: r.remote_id,
    finishedAt: r.finished_at,
    // Only what is known: absent fields keep entries of plain uploads exactly as before.
    ...(r.name != null ? { name: r.name } : {}),
    ...(r.relative_path != null ? { relativePath: r.relative_path } : {}),
    ...(r.mimetype != null ? { mimetype: r.mimetype } : {}),
    ...(r.origin != null && r.source_id != null ? { origin: r.origin, sourceId: r.source_id } : {}),
    ...(r.source_version != null ? { sourceVersion: r.source_version } : {}),
  };
}
