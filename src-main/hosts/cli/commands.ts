import path from 'node:path';
import { toAppError } from '../../../src-shared/errors.js';
import { isTerminal, type DestinationKind, type JobView } from '../../../src-shared/model/job.js';
import { openJournal } from '../../engine/journal/sqlite-store.js';
import type { Provider } from '../../engine/ports.js';
import { transition } from '../../engine/transition.js';
import { createApp, type FerryApp } from '../compose.js';
import { defaultDataDir } from '../data-dir.js';
import type { CliCommon } from './args.js';
import { cliProviders } from './destinations.js';
import { isSuccess, outcomeOf, type FileOutcome, type Reporter } from './output.js';

/** What a command needs from the outside world; main.ts passes the real process's. */
export type CliEnv = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly reporter: Reporter;
  /** Resolves when the user asks to stop (Ctrl-C); the run then closes the app, jobs stay resumable. */
  readonly interrupted: Promise<void>;
};

const dataDirOf = (c: CliCommon, env: CliEnv['env']): string => c.dataDir ?? defaultDataDir(env);

async function open(c: CliCommon, io: CliEnv, to: DestinationKind | null, intelligent: boolean): Promise<FerryApp> {
  // `resume` serves whatever destinations the environment configures; a job whose destination
  // has no keys then fails with a clear `unsupported` error.
  const remote: ((w: Parameters<ReturnType<typeof cliProviders>>[0]) => Partial<Record<DestinationKind, Provider>>)[] = [];
  for (const dest of to === null ? (['filestack', 'imagekit'] as const) : [to]) {
    try {
      remote.push(cliProviders(dest, intelligent, io.env));
    } catch (thrown) {
      if (to !== null) throw thrown;
    }
  }
  return createApp({
    dataDir: dataDirOf(c, io.env),
    // The CLI has no renderer; `web` only selects capability flags nobody reads here.
    host: 'web',
    ...(c.localCloudUrl ? { localCloudUrl: c.localCloudUrl } : {}),
    providers: (w) => Object.assign({}, ...remote.map((f) => f(w))) as Partial<Record<DestinationKind, Provider>>,
    defaultDestination: to ?? 'local',
    intelligent: to === 'local' && intelligent,
    // --intelligent against a server that does not grant it says so instead of going quiet.
    onUploadEvent: (event) => {
      if (event.type === 'fii-not-granted') io.reporter.note(event.message);
    },
  });
}

/** Waits for the engine to go idle (or an interrupt), reporting the given jobs. Returns their outcomes. */
async function runToEnd(app: FerryApp, io: CliEnv, ids: readonly string[], label: (job: JobView) => string): Promise<FileOutcome[] | null> {
  // A set: 10,000 files times every progress push would be quadratic with an array lookup.
  const wanted = new Set(ids);
  const stop = app.engine.on('jobs:updated', ({ jobs }) => io.reporter.update(jobs.filter((j) => wanted.has(j.id))));
  const reported = new Set<string>();
  const stopFinished = app.engine.on('jobs:updated', ({ jobs }) => {
    for (const job of jobs) {
      if (!wanted.has(job.id) || reported.has(job.id) || !isTerminal(job.status)) continue;
      reported.add(job.id);
      io.reporter.finish(outcomeOf(label(job), job));
    }
  });
  io.reporter.update(app.engine.list().filter((j) => wanted.has(j.id)));
  const finished = await Promise.race([app.engine.whenIdle().then(() => true), io.interrupted.then(() => false)]);
  stop();
  stopFinished();
  if (!finished) return null;
  const outcomes: FileOutcome[] = [];
  for (const id of ids) {
    const job = app.engine.get(id);
    if (!job) continue;
    const outcome = outcomeOf(label(job), job);
    // Jobs that stopped without a terminal state (paused: auth) are reported here.
    if (!reported.has(id)) io.reporter.finish(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** `upload FILES…`: queue them, wait, one outcome per file. Exit code 0 only if all succeeded. */
export async function uploadCommand(c: CliCommon, files: readonly string[], to: DestinationKind, intelligent: boolean, io: CliEnv): Promise<number> {
  const app = await open(c, io, to, intelligent);
  try {
    // One call per argument, so every job maps back to the path the user gave.
    const labels = new Map<string, string>();
    const failedEarly: FileOutcome[] = [];
    for (const file of files) {
      const abs = path.resolve(file);
      const added = await app.engine.addPaths([abs], to);
      for (const s of added.skipped) failedEarly.push({ file: s.path, state: 'failed', error: s.reason });
      for (const id of added.jobIds) {
        const rel = app.engine.get(id)?.relativePath ?? null;
        labels.set(id, rel === null ? abs : path.join(path.dirname(abs), ...rel.split('/')));
      }
    }
    for (const o of failedEarly) io.reporter.finish(o);
    const outcomes = await runToEnd(app, io, [...labels.keys()], (job) => labels.get(job.id) ?? job.name);
    if (outcomes === null) return 130;
    return failedEarly.length === 0 && outcomes.every(isSuccess) ? 0 : 1;
  } finally {
    io.reporter.close();
    await app.close();
  }
}

/** `resume`: finish every unfinished job in the journal (user-paused ones too), then report them. */
export async function resumeCommand(c: CliCommon, io: CliEnv): Promise<number> {
  const app = await open(c, io, null, false);
  try {
    app.engine.resumeAll();
    const ids = app.engine.list().filter((j) => !isTerminal(j.status)).map((j) => j.id);
    if (ids.length === 0) io.reporter.note('Nothing to resume.');
    const outcomes = await runToEnd(app, io, ids, (job) => job.relativePath ?? job.name);
    if (outcomes === null) return 130;
    return outcomes.every(isSuccess) ? 0 : 1;
  } finally {
    io.reporter.close();
    await app.close();
  }
}

/** `status`: the journal's jobs, read directly (no engine, no uploads start). */
export function statusCommand(c: CliCommon, io: CliEnv, write: (line: string) => void): number {
  const journal = openJournal({ dir: dataDirOf(c, io.env) });
  try {
    for (const job of journal.loadAll()) {
      const { sourcePath, ...rest } = job;
      const o = outcomeOf(sourcePath, { ...rest, speedBps: 0, etaSeconds: null });
      if (c.json) write(JSON.stringify({ id: job.id, ...o, bytesSent: job.bytesSent, size: job.size, destination: job.destination }));
      else write(`${job.id}  ${o.state.padEnd(12)} ${job.destination.padEnd(9)} ${sourcePath}${o.url ? `  ${o.url}` : ''}`);
    }
    return 0;
  } finally {
    journal.close();
  }
}

/**
 * `pause`: the CLI that uploads is another process, so this marks the journal's waiting jobs
 * (queued, retrying, uploading) paused. A ferry process already running does not re-read the
 * journal and keeps going (it may even overwrite the mark); the next run sees them paused and
 * `resume` picks them up again.
 */
export function pauseCommand(c: CliCommon, io: CliEnv, write: (line: string) => void): number {
  const journal = openJournal({ dir: dataDirOf(c, io.env) });
  try {
    let count = 0;
    for (const job of journal.loadAll()) {
      const next = transition(job, { type: 'paused' }, Date.now());
      if (!next.ok) continue;
      journal.put(next.value);
      count++;
    }
    write(c.json ? JSON.stringify({ paused: count }) : `Paused ${count} job(s).`);
    return 0;
  } catch (thrown) {
    write(toAppError(thrown).message);
    return 1;
  } finally {
    journal.close();
  }
}
