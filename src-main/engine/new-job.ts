import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { DestinationKind, Job } from '../../src-shared/model/job.js';
import { expandPaths, type FoundFile } from './expand-paths.js';
import type { EngineFs } from './file-system.js';
import { sanitizeFileName, sanitizeRelativePath } from './name-sanitize.js';
import type { AddOptions, AddResult, StagedFile } from './types.js';

/** A found file plus the display name the host wants kept (staged uploads). */
export type JobSource = FoundFile & { name?: string };

/** The caller's batch, or a new one for this call. */
export function originOf(opts: AddOptions | undefined): AddOptions & { batchId: string } {
  return { batchId: opts?.batchId ?? randomUUID(), ...(opts?.watchFolderId !== undefined ? { watchFolderId: opts.watchFolderId } : {}) };
}

/** A fresh queued job for a found file; names are sanitised here, once. */
export function newJob(file: JobSource, destination: DestinationKind, now: number, origin: AddOptions & { batchId: string }): Job {
  return {
    batchId: origin.batchId,
    ...(origin.watchFolderId !== undefined ? { watchFolderId: origin.watchFolderId } : {}),
    id: randomUUID(),
    name: sanitizeFileName(file.name ?? basename(file.relativePath ?? file.path)),
    relativePath: file.relativePath === null ? null : sanitizeRelativePath(file.relativePath),
    sourcePath: file.path,
    size: file.size,
    destination,
    status: { kind: 'queued' },
    bytesSent: 0,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Checks files a host staged itself: each must be one regular file; keeps their relative paths. */
export async function expandStaged(fs: EngineFs, files: readonly StagedFile[]): Promise<{ found: JobSource[]; skipped: AddResult['skipped'] }> {
  const found: JobSource[] = [];
  const skipped: AddResult['skipped'] = [];
  for (const file of files) {
    const { files: hits, skipped: misses } = await expandPaths(fs, [file.path]);
    skipped.push(...misses);
    const hit = hits[0];
    if (hit && hit.relativePath === null) found.push({ ...hit, relativePath: file.relativePath, ...(file.name ? { name: file.name } : {}) });
    // A folder (even an empty one, which yields nothing) is not a staged file; a miss says why itself.
    else if (misses.length === 0) skipped.push({ path: file.path, reason: 'not a regular file' });
  }
  return { found, skipped };
}
