import { z } from 'zod';
import { destinationKindSchema, jobStatusSchema, type Job } from '../../../src-shared/model/job.js';
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
  })
  .refine((job) => job.bytesSent <= job.size, { message: 'bytesSent exceeds size', path: ['bytesSent'] });

/** A stored history row (column names as in the `history` table). */
export const storedHistorySchema = z.object({
  job_id: z.string().min(1),
  destination: destinationKindSchema,
  source_path: z.string(),
  size: byteCount,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  url: z.string(),
  remote_id: z.string(),
  finished_at: epochMs,
  source_version: z.string().nullable().optional(),
});

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
    ...(typeof r.source_version === 'string' ? { sourceVersion: r.source_version } : {}),
  };
}
