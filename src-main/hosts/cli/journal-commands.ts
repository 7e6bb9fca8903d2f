import { toAppError } from '../../../src-shared/errors.js';
import { formatBytes } from '../../../src-shared/format-bytes.js';
import type { Job, JobView } from '../../../src-shared/model/job.js';
import { openJournal } from '../../engine/journal/sqlite-store.js';
import { transition } from '../../engine/transition.js';
import { claimInstance, findRunning } from '../instance/claim.js';
import type { CliCommon } from './args.js';
import { dataDirOf, type CliEnv } from './env.js';
import { outcomeOf } from './output.js';
import { DEFAULT_VERSION } from '../version.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** One job as `status` prints it: state, destination, bytes and percent, the file, its link. */
function statusLine(job: JobView, file: string, json: boolean): string {
  const o = outcomeOf(file, job);
  const percent = job.size > 0 ? Math.min(100, Math.floor((job.bytesSent / job.size) * 100)) : 100;
  if (json) return JSON.stringify({ id: job.id, ...o, bytesSent: job.bytesSent, size: job.size, percent, destination: job.destination });
  const bytes = `${formatBytes(job.bytesSent)} of ${formatBytes(job.size)}`.padEnd(22);
  return `${job.id}  ${o.state.padEnd(12)} ${job.destination.padEnd(9)} ${bytes} ${String(percent).padStart(3)}%  ${file}${o.url ? `  ${o.url}` : ''}`;
}

/**
 * `status`: the running Ferry's live queue when one runs (bytes as they are sent), else the
 * journal as last written (bytes of an interrupted upload as of its last state change).
 */
export async function statusCommand(c: CliCommon, io: CliEnv, write: (line: string) => void): Promise<number> {
  const client = await findRunning(dataDirOf(c, io.env));
  if (client) {
    try {
      const result = await client.call('jobs:list', {});
      if (!result.ok) throw new Error(result.error.message);
      for (const job of (result.value as { jobs: JobView[] }).jobs) write(statusLine(job, job.relativePath ?? job.name, c.json));
      return 0;
    } finally {
      client.close();
    }
  }
  const journal = openJournal({ dir: dataDirOf(c, io.env) });
  try {
    for (const job of journal.loadAll()) write(statusLine(viewOf(job), job.sourcePath, c.json));
    return 0;
  } finally {
    journal.close();
  }
}

function viewOf(job: Job): JobView {
  const { sourcePath: _path, ...rest } = job;
  return { ...rest, speedBps: 0, etaSeconds: null };
}

/**
 * `pause`: pauses queued, running and retrying uploads. With Ferry running it asks Ferry; else
 * it holds the data folder for a moment (so no engine starts meanwhile) and marks the journal;
 * `resume` (or the app) picks them up again.
 */
export async function pauseCommand(c: CliCommon, io: CliEnv, write: (line: string) => void): Promise<number> {
  const dataDir = dataDirOf(c, io.env);
  const report = (count: number): number => (write(c.json ? JSON.stringify({ paused: count }) : `Paused ${count} job(s).`), 0);
  const claim = await claimInstance({ dataDir, kind: 'cli', version: DEFAULT_VERSION, logger: quiet, onWait: (m) => io.reporter.note(m) });
  if (claim.role === 'client') {
    try {
      const listed = await claim.client.call('jobs:list', {});
      const before = listed.ok ? (listed.value as { jobs: JobView[] }).jobs.filter((j) => j.status.kind !== 'paused') : [];
      const result = await claim.client.call('jobs:pause-all', {});
      if (!result.ok) throw new Error(result.error.message);
      const after = await claim.client.call('jobs:list', {});
      const paused = after.ok ? (after.value as { jobs: JobView[] }).jobs.filter((j) => j.status.kind === 'paused' && before.some((b) => b.id === j.id)) : [];
      return report(paused.length);
    } finally {
      claim.client.close();
    }
  }
  const journal = openJournal({ dir: dataDir });
  try {
    let count = 0;
    for (const job of journal.loadAll()) {
      const next = transition(job, { type: 'paused' }, Date.now());
      if (!next.ok) continue;
      journal.put(next.value);
      count++;
    }
    return report(count);
  } catch (thrown) {
    write(toAppError(thrown).message);
    return 1;
  } finally {
    journal.close();
    await claim.release();
  }
}
