import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import type { WatchFolder } from '../../src-shared/ipc/channels.js';
import type { Logger } from '../engine/ports.js';
import { decide, inodeKey, isRecorded } from './decide.js';
import { compileRules, relativeInside } from './ignore.js';
import type { Intake } from './intake.js';
import type { Ledger } from './ledger.js';
import { buildRemotePath } from './remote-path.js';
import { createStabilityTracker, type StabilityTracker, type StableFacts, type WatchTime } from './stability.js';
import { watchFolder, type FolderWatcher } from './watcher.js';

/** The most recent problems kept per folder for the UI. */
const MAX_ERRORS = 20;

export type FolderProblem = { at: number; path: string | null; message: string };

export type RuntimeDeps = {
  readonly ledger: Ledger;
  readonly intake: Intake;
  readonly logger: Logger;
  readonly stabilityMs: number;
  /** The clock the stability window runs on (default: real time). */
  readonly time?: WatchTime;
  /** Hashing and ledger checks at once (I/O bound). */
  readonly checkConcurrency?: number;
};

/** One enabled folder while it is watched: chokidar → stability → ledger → intake. */
export type FolderRuntime = {
  readonly folder: WatchFolder;
  readonly ready: boolean;
  readonly watching: boolean;
  /** Files settling or being checked (the intake counts the rest). */
  readonly checking: number;
  readonly errors: readonly FolderProblem[];
  problem(path: string | null, message: string): void;
  /** The intake finished with `path`: look again if it changed meanwhile. */
  settled(path: string): void;
  stop(): Promise<void>;
};

/**
 * Starts watching one folder. A missing or unreadable root does not throw: the runtime reports
 * the problem and stays `watching: false`, so one unplugged drive never breaks the others.
 */
export async function startFolder(folder: WatchFolder, deps: RuntimeDeps): Promise<FolderRuntime> {
  const { ledger, intake, logger } = deps;
  const errors: FolderProblem[] = [];
  const changedWhileBusy = new Set<string>();
  const claims = new Map<string, string>();
  const checks = new PQueue({ concurrency: deps.checkConcurrency ?? 8 });
  let ready = false;
  let watching = false;
  let stopped = false;
  let watcher: FolderWatcher | null = null;

  const problem = (p: string | null, message: string) => {
    logger.warn('watch: problem', { folderId: folder.id, path: p, message });
    errors.push({ at: Date.now(), path: p, message });
    if (errors.length > MAX_ERRORS) errors.splice(0, errors.length - MAX_ERRORS);
  };

  let realRoot = folder.path;
  const stability: StabilityTracker = createStabilityTracker({
    windowMs: deps.stabilityMs,
    ...(deps.time ? { time: deps.time } : {}),
    onStable: (facts) => void checks.add(() => settleFile(facts)).catch((thrown: unknown) => problem(facts.path, `Check failed: ${String(thrown)}`)),
    onGone: () => {},
    onUnreadable: (p, code) => problem(p, `Cannot read the file (${code}).`),
  });

  async function settleFile(facts: StableFacts): Promise<void> {
    if (stopped) return;
    if (intake.busy(facts.path)) return void changedWhileBusy.add(facts.path);
    // Local reads only inside the watched root, even if a path component became a link.
    const real = await realpath(facts.path).catch(() => null);
    if (real === null) return;
    if (real !== realRoot && relativeInside(realRoot, real) === null) return problem(facts.path, 'Outside the watched folder: not uploaded.');
    // Two names of one inode (hard links) settle together: the first claims it, the other skips.
    const key = inodeKey(folder.id, facts.dev, facts.ino);
    const claimant = claims.get(key);
    if (claimant !== undefined && claimant !== facts.path) return;
    claims.set(key, facts.path);
    let decision;
    try {
      decision = await decide(ledger, folder.id, facts, intake.inFlightInodes);
    } finally {
      claims.delete(key);
    }
    if (stopped) return;
    if (decision.kind === 'renamed') {
      logger.info('watch: recognised a rename, not uploading again', { folderId: folder.id, from: decision.from, to: facts.path });
      return;
    }
    if (decision.kind === 'skip') return;
    const rel = relativeInside(folder.path, facts.path) ?? path.basename(facts.path);
    const remotePath = buildRemotePath(folder.remotePathTemplate, { folder: path.basename(folder.path), relativePath: rel, mtimeMs: facts.mtimeMs });
    intake.submit({ folder, facts, sha256: decision.sha256, contentKey: decision.contentKey, remotePath });
  }

  try {
    realRoot = await realpath(folder.path);
    if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
    watching = true;
    const rules = compileRules(folder);
    watcher = watchFolder(folder.path, realRoot, folder.recursive, rules, {
      onFile: (p, seen) => {
        if (stopped) return;
        if (intake.busy(p)) return void changedWhileBusy.add(p);
        // Catch-up fast path: a file the ledger already has in this exact version needs no wait.
        if (seen && isRecorded(ledger, folder.id, p, seen.size, seen.mtimeMs)) return;
        stability.track(p, seen);
      },
      onUnlink: (p) => stability.forget(p),
      onProblem: problem,
      onReady: () => {
        ready = true;
        logger.info('watch: folder ready', { folderId: folder.id, path: folder.path });
      },
    });
  } catch (thrown) {
    problem(folder.path, `Cannot watch this folder: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  }

  return {
    folder,
    get ready() {
      return ready;
    },
    get watching() {
      return watching && !stopped;
    },
    get checking() {
      return stability.size + checks.size + checks.pending;
    },
    errors,
    problem,
    settled(p) {
      if (stopped || !changedWhileBusy.delete(p)) return;
      stability.track(p);
    },
    async stop() {
      stopped = true;
      stability.close();
      checks.clear();
      await watcher?.close();
      await checks.onIdle();
    },
  };
}
