import { toAppError } from '../../../src-shared/errors.js';
import { isTerminal, type DestinationKind, type JobView } from '../../../src-shared/model/job.js';
import { labelFor, type RecordedIntent } from '../instance/intents.js';
import type { CliCommon } from './args.js';
import { follow } from './follow.js';
import { dataDirOf, type CliEnv } from './env.js';
import { isSuccess, type FileOutcome } from './output.js';
import { attach, type AttachOptions, type Session } from './session.js';

/** After a handover the app needs a moment to take the folder; we let it rather than take it back. */
const LET_THE_APP_START_MS = 5000;

function attachOptions(c: CliCommon, io: CliEnv, to: DestinationKind | null, intelligent: boolean): AttachOptions {
  return { dataDir: dataDirOf(c, io.env), common: c, env: io.env, to, intelligent, note: (m) => io.reporter.note(m) };
}

/**
 * Follows the jobs to the end, then, as owner, waits for other `ferry` commands still following
 * jobs in our engine, and closes. Exit code: 0 all succeeded, 1 any did not, 130 interrupted.
 */
async function finish(session: Session, o: AttachOptions, io: CliEnv, ids: readonly string[], label: (job: JobView) => string, failedEarly: number): Promise<number> {
  let current = session;
  try {
    const result = await follow({
      session,
      reattach: async () => {
        current = await attach({ ...o, preferOtherMs: LET_THE_APP_START_MS });
        if (o.to !== null) await noteLocal(current, o.to, io);
        return current;
      },
      ids,
      reporter: io.reporter,
      label,
      interrupted: io.interrupted,
    });
    if (result === null) {
      if (current.mode === 'client') io.reporter.note('Stopped waiting; Ferry keeps uploading (see `ferry status`).');
      return 130;
    }
    current = result.session;
    await Promise.race([current.drain(), io.interrupted]);
    return failedEarly === 0 && result.outcomes.every(isSuccess) ? 0 : 1;
  } finally {
    io.reporter.close();
    await current.close();
  }
}

/** Says, when this process serves `local` links itself, that they live only as long as it runs. */
async function noteLocal(session: Session, to: DestinationKind, io: CliEnv): Promise<void> {
  const note = to === 'local' ? await session.localNote() : null;
  if (note) io.reporter.note(note);
}

/**
 * `upload FILES…`: the paths, already recorded as an intent (intents.ts), are queued one argument
 * at a time in the running Ferry or our own engine; waits until each file is done or finally
 * failed. Exit code 0 only if all succeeded.
 */
export async function uploadCommand(c: CliCommon, intent: RecordedIntent, intelligent: boolean, io: CliEnv): Promise<number> {
  const { paths, destination: to } = intent.intent;
  const o = attachOptions(c, io, to, intelligent);
  let session: Session;
  try {
    session = await attach(o);
  } catch (thrown) {
    // Nothing was queued and the user hears why: nothing is left for `resume`.
    await intent.done();
    throw thrown;
  }
  /** Job id → the path the user gave; after a recovery, job id → the label recovery made. */
  const userPath = new Map<string, string>();
  const recoveredLabel = new Map<string, string>();
  const failedEarly: FileOutcome[] = [];
  try {
    await noteLocal(session, to, io);
    await session.intake(async () => {
      for (const p of paths) {
        const added = await session.call('jobs:add-paths', { paths: [p], destination: to });
        for (const s of added.skipped) failedEarly.push({ file: s.path, state: 'failed', error: s.reason });
        for (const id of added.jobIds) userPath.set(id, p);
      }
    });
  } catch (thrown) {
    const code = toAppError(thrown).code;
    await session.close().catch(() => undefined);
    if (code !== 'network' && code !== 'aborted') {
      // A real refusal (no such destination…): the user hears it, nothing is left to resume.
      await intent.done();
      io.reporter.close();
      throw thrown;
    }
    // The owner went away while taking our paths (the app quit, or a headless ferry handed
    // over): whoever owns the folder now finishes our intent, keeping what was already queued.
    io.reporter.note('Ferry stopped while taking the files; handing them to the Ferry that runs now…');
    session = await attach({ ...o, preferOtherMs: LET_THE_APP_START_MS });
    await noteLocal(session, to, io);
    const recovered = await session.intake(() => session.recover(intent.intent.id));
    userPath.clear();
    for (const id of recovered.jobIds) recoveredLabel.set(id, recovered.labels[id] ?? id);
    failedEarly.splice(0, failedEarly.length, ...recovered.failed.map((f) => ({ ...f, state: 'failed' })));
  }
  // Every path is journaled now (or reported): the journal carries the rest.
  await intent.done();
  for (const f of failedEarly) io.reporter.finish(f);
  const label = (job: JobView): string => recoveredLabel.get(job.id) ?? labelFor(userPath.get(job.id) ?? job.name, job.relativePath);
  return finish(session, o, io, [...userPath.keys(), ...recoveredLabel.keys()], label, failedEarly.length);
}

/**
 * `resume`: first what killed `ferry upload` runs asked for but never queued, then every
 * unfinished job (user-paused ones too). Exits non-zero naming each file it could not finish.
 */
export async function resumeCommand(c: CliCommon, io: CliEnv): Promise<number> {
  const o = attachOptions(c, io, null, false);
  const session = await attach(o);
  let ids: string[];
  let labels: Record<string, string>;
  let failed: FileOutcome[];
  try {
    const recovered = await session.intake(() => session.recover());
    failed = recovered.failed.map((f) => ({ ...f, state: 'failed' }));
    labels = recovered.labels;
    await session.call('jobs:resume-all', {});
    const { jobs } = await session.call('jobs:list', {});
    ids = [...new Set([...recovered.jobIds, ...jobs.filter((j) => !isTerminal(j.status)).map((j) => j.id)])];
    if (jobs.some((j) => ids.includes(j.id) && j.destination === 'local')) {
      const note = await session.localNote();
      if (note) io.reporter.note(note);
    }
  } catch (thrown) {
    io.reporter.close();
    await session.close();
    throw thrown;
  }
  for (const f of failed) io.reporter.finish(f);
  if (ids.length === 0 && failed.length === 0) io.reporter.note('Nothing to resume.');
  return finish(session, o, io, ids, (job) => labels[job.id] ?? job.relativePath ?? job.name, failed.length);
}
