import type { Job } from '../../src-shared/model/job.js';
import type { JobStore, UploadCheckpoint } from './ports.js';

/**
 * A JobStore that keeps everything in memory: jobs and checkpoints are lost on exit. Used until
 * the SQLite journal is wired in, and by tests that do not exercise restarts. Stored objects are
 * cloned so callers cannot mutate the store behind its back (the durable store would not share
 * references either).
 */
export function createMemoryJobStore(): JobStore {
  const jobs = new Map<string, Job>();
  const checkpoints = new Map<string, unknown>();
  return {
    loadAll: () => [...jobs.values()].map((job) => structuredClone(job)),
    put(job) {
      jobs.set(job.id, structuredClone(job));
    },
    remove(id) {
      jobs.delete(id);
      checkpoints.delete(id);
    },
    checkpoint(jobId): UploadCheckpoint {
      return {
        load: () => structuredClone(checkpoints.get(jobId)),
        save: (state) => {
          checkpoints.set(jobId, structuredClone(state));
        },
        clear: () => {
          checkpoints.delete(jobId);
        },
      };
    },
  };
}
