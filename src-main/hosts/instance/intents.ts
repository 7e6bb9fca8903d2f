import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { toAppError } from '../../../src-shared/errors.js';
import { destinationKindSchema, type DestinationKind, type Job } from '../../../src-shared/model/job.js';
import type { Logger } from '../../engine/ports.js';
import type { AddResult } from '../../engine/types.js';
import { pidAlive } from './lock.js';

/**
 * Intents close the window between "the user ran `ferry upload`" and "its jobs are in the
 * journal" (process start, waiting for the app, walking a big folder). The CLI writes the
 * paths it was asked for durably before anything else; once every path's jobs are journaled it
 * deletes the intent. If it dies in between, the intent stays, and `ferry resume` re-queues each
 * path that has no job yet, or names it as failed.
 */

const intentSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  pid: z.number().int(),
  /** Epoch ms; jobs of this intent were created at or after it. */
  createdAt: z.number(),
  destination: destinationKindSchema,
  paths: z.array(z.string().min(1)),
});
export type Intent = z.infer<typeof intentSchema>;

/** An intent of a live process this young is still being worked on by it; older ones are left behind (pid reused). */
const LIVE_INTENT_MS = 60 * 60 * 1000;

const intentsDir = (dataDir: string): string => path.join(dataDir, 'intents');

/** A written intent; `done()` removes it once its paths are journaled (or reported). */
export type RecordedIntent = { readonly intent: Intent; done(): Promise<void> };

/** Writes the intent (temp file, fsync, rename, directory fsync): after this returns it survives a kill. */
export async function recordIntent(dataDir: string, paths: readonly string[], destination: DestinationKind): Promise<RecordedIntent> {
  const dir = intentsDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const intent: Intent = { v: 1, id: randomUUID(), pid: process.pid, createdAt: Date.now(), destination, paths: [...paths] };
  const file = path.join(dir, `${intent.id}.json`);
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(intent));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await syncDir(dir);
  return { intent, done: () => rm(file, { force: true }) };
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can fsync a directory (Windows); the rename itself is atomic.
  }
}

/** Intents left by processes that are gone (or just `only`), oldest first. Unreadable files are removed (logged). */
async function leftIntents(dataDir: string, logger: Logger, only?: string, now = Date.now()): Promise<{ intent: Intent; file: string }[]> {
  const dir = intentsDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { intent: Intent; file: string }[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (!name.endsWith('.json')) {
      // A temp file of a writer killed before its rename: that intent was never recorded.
      if (name.endsWith('.json.tmp')) await rm(file, { force: true });
      continue;
    }
    const parsed = intentSchema.safeParse(await readFile(file, 'utf8').then((t) => JSON.parse(t) as unknown, () => null));
    if (!parsed.success) {
      logger.warn('intents: unreadable intent removed', { file });
      await rm(file, { force: true });
      continue;
    }
    const intent = parsed.data;
    if (only !== undefined ? intent.id !== only : intent.pid !== process.pid && pidAlive(intent.pid) && now - intent.createdAt < LIVE_INTENT_MS) continue;
    out.push({ intent, file });
  }
  return out.sort((a, b) => a.intent.createdAt - b.intent.createdAt);
}

/** The label a CLI shows for a job: the path the user typed, or the file inside the folder they typed. */
export function labelFor(userPath: string, relativePath: string | null): string {
  return relativePath === null ? userPath : path.join(path.dirname(userPath), ...relativePath.split('/'));
}

export type Recovery = { jobIds: string[]; labels: Record<string, string>; failed: { file: string; error: string }[] };

/**
 * Runs in the owner of the data folder (it has the engine and the journal). For every intent a
 * dead process left, each path that got no job after the intent was written is queued now;
 * paths that cannot be queued (gone, unreadable, destination missing) come back as `failed`
 * with the reason. `jobIds` holds the jobs of every path, queued now or before. The intent is
 * removed once its paths are journaled or reported.
 */
export async function recoverIntents(deps: {
  dataDir: string;
  /** Only this intent, whoever wrote it (a live `ferry` whose owner went away mid-intake). */
  only?: string;
  /** The journal's jobs, with their source paths. */
  jobs: () => readonly Job[];
  addPaths: (paths: string[], destination: DestinationKind) => Promise<AddResult>;
  relativePathOf: (jobId: string) => string | null;
  logger: Logger;
}): Promise<Recovery> {
  const out: Recovery = { jobIds: [], labels: {}, failed: [] };
  const take = (p: string, ids: readonly string[]): void => {
    for (const id of ids) {
      out.jobIds.push(id);
      out.labels[id] = labelFor(p, deps.relativePathOf(id));
    }
  };
  for (const { intent, file } of await leftIntents(deps.dataDir, deps.logger, deps.only)) {
    const journaled = deps.jobs().filter((j) => j.createdAt >= intent.createdAt);
    for (const p of intent.paths) {
      const inside = p.endsWith(path.sep) ? p : p + path.sep;
      const already = journaled.filter((j) => j.sourcePath === p || j.sourcePath.startsWith(inside));
      // Queued before the writer died: those jobs carry the path (the caller follows them).
      if (already.length > 0) {
        take(p, already.map((j) => j.id));
        continue;
      }
      try {
        const added = await deps.addPaths([p], intent.destination);
        take(p, added.jobIds);
        for (const s of added.skipped) out.failed.push({ file: s.path, error: s.reason });
      } catch (thrown) {
        out.failed.push({ file: p, error: toAppError(thrown).message });
      }
    }
    deps.logger.info('intents: recovered an unfinished ferry upload', { intent: intent.id, paths: intent.paths.length });
    await rm(file, { force: true });
  }
  return out;
}
