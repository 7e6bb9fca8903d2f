import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { errnoCode } from '../../engine/file-system.js';
import type { Logger } from '../../engine/ports.js';
import { connectInstance, type InstanceClient } from './client.js';
import { createLock, pidAlive, readLock, releaseLock, removeStaleLock, type LockInfo } from './lock.js';
import type { OwnerKind } from './messages.js';
import { ensurePrivateDir, instancePaths } from './paths.js';
import { startInstanceServer, type InstanceServer } from './server.js';

/** This process owns the data folder: it runs the engine and serves the socket. */
export type OwnerClaim = {
  readonly role: 'owner';
  readonly info: LockInfo;
  readonly server: InstanceServer;
  /** Closes the socket and removes the lock. Call it only after the engine and journal are closed. */
  release(): Promise<void>;
};
/** Another process owns it; this one talks to it. */
export type ClientClaim = { readonly role: 'client'; readonly client: InstanceClient };
export type Claim = OwnerClaim | ClientClaim;

export type ClaimOptions = {
  readonly dataDir: string;
  readonly kind: OwnerKind;
  readonly version: string;
  readonly logger: Logger;
  /** The app asks a headless `ferry` owner to hand the folder over instead of becoming its client. */
  readonly takeOverFromCli?: boolean;
  /**
   * While the folder is free, wait this long before owning it: a process we just handed over
   * to is about to take it, and should.
   */
  readonly preferOtherMs?: number;
  /** Told when the claim has to wait, so a person knows why nothing happens yet. */
  readonly onWait?: (message: string) => void;
  /** How long an owner that is alive but does not answer is waited for (default 60 s). */
  readonly giveUpMs?: number;
};

/** An owner whose socket is not up yet this long after it started is not starting: it is gone. */
const STARTING_GRACE_MS = 10_000;
/** How long we keep trying before telling the user the folder is stuck. */
const GIVE_UP_MS = 60_000;
const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 3000;

type Verdict = { kind: 'live'; client: InstanceClient } | { kind: 'stale' } | { kind: 'starting' } | { kind: 'silent' };

/**
 * One Ferry per user and data folder. Owns the folder when nobody does (lock file created with
 * O_EXCL, then the socket), connects to the owner when one answers, and takes over a stale lock
 * (dead pid, or a socket nobody listens on long after start) safely. An owner that is alive but
 * does not answer (stopped with Ctrl-Z, hung) is never taken over: two engines on one journal
 * must not happen, so after a minute the claim fails with a clear message instead.
 */
export async function claimInstance(opts: ClaimOptions): Promise<Claim> {
  const paths = instancePaths(opts.dataDir);
  await ensurePrivateDir(paths.dir);
  const started = Date.now();
  let told = '';
  const wait = (message: string): void => {
    if (message !== told) opts.onWait?.(message);
    told = message;
  };
  for (;;) {
    if (Date.now() - started > (opts.giveUpMs ?? GIVE_UP_MS)) {
      throw new FerryError(
        appError('conflict', `Another Ferry holds ${opts.dataDir} but does not answer. If it is stuck, stop it; if none is running, delete ${paths.lockFile}.`, {
          retryable: false,
        }),
      );
    }
    const state = await readLock(paths.lockFile);
    if (state.kind === 'none') {
      if (opts.preferOtherMs !== undefined && Date.now() - started < opts.preferOtherMs) {
        await sleep(POLL_MS);
        continue;
      }
      const owner = await tryOwn(paths.lockFile, paths.socket, paths.dir, opts);
      if (owner) return owner;
      continue;
    }
    if (state.kind === 'unreadable') {
      // A lock is written right after it is created; unreadable for long means its writer died.
      if (state.ageMs > STARTING_GRACE_MS) await removeStaleLock(paths.lockFile, state.raw);
      else await sleep(POLL_MS);
      continue;
    }
    const verdict = await probe(state.info);
    if (verdict.kind === 'stale') {
      opts.logger.info('instance: taking over a stale lock', { pid: state.info.pid });
      await removeStaleLock(paths.lockFile, state.raw);
      continue;
    }
    if (verdict.kind !== 'live') {
      wait(verdict.kind === 'starting' ? `Waiting for the Ferry that holds this data folder (pid ${state.info.pid}) to answer…` : `Ferry (pid ${state.info.pid}) does not answer yet; waiting…`);
      await sleep(verdict.kind === 'starting' ? POLL_MS : 1000);
      continue;
    }
    const { client } = verdict;
    if (!opts.takeOverFromCli || client.welcome.kind !== 'cli') return { role: 'client', client };
    wait(`A ferry command (pid ${client.welcome.pid}) is uploading from this data folder; it hands its uploads over to the app…`);
    const answer = await client.call('instance:handover', {});
    client.close();
    if (!answer.ok) opts.logger.warn('instance: handover refused', { code: answer.error.code, message: answer.error.message });
    if (!answer.ok && answer.error.code !== 'network') await sleep(1000);
  }
}

async function tryOwn(lockFile: string, socket: string, dir: string, opts: ClaimOptions): Promise<OwnerClaim | null> {
  const info: LockInfo = { v: 1, pid: process.pid, kind: opts.kind, socket, secret: randomBytes(24).toString('base64url'), startedAt: Date.now() };
  if (!(await createLock(lockFile, info))) return null;
  let server: InstanceServer;
  try {
    if (path.dirname(socket) !== dir && process.platform !== 'win32') await ensurePrivateDir(path.dirname(socket));
    server = await startInstanceServer({ socket, secret: info.secret, kind: opts.kind, version: opts.version, logger: opts.logger });
  } catch (thrown) {
    await releaseLock(lockFile, info);
    throw thrown;
  }
  let released: Promise<void> | null = null;
  return {
    role: 'owner',
    info,
    server,
    release: () =>
      (released ??= (async () => {
        await server.close();
        await releaseLock(lockFile, info);
      })()),
  };
}

async function probe(info: LockInfo): Promise<Verdict> {
  if (!pidAlive(info.pid)) return { kind: 'stale' };
  try {
    const client = await connectInstance(info.socket, info.secret, PROBE_TIMEOUT_MS);
    if (client.welcome.pid === info.pid) return { kind: 'live', client };
    client.close();
    return { kind: 'silent' };
  } catch (thrown) {
    const code = errnoCode(thrown);
    // Nobody listens: the owner is still starting, or (pid reused after a crash) long gone.
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return Date.now() - info.startedAt < STARTING_GRACE_MS ? { kind: 'starting' } : { kind: 'stale' };
    return { kind: 'silent' };
  }
}

/**
 * The running Ferry of `dataDir`, connected, or null when none answers (nothing is started and
 * nothing is taken over): for commands that only look (`status`).
 */
export async function findRunning(dataDir: string): Promise<InstanceClient | null> {
  const state = await readLock(instancePaths(dataDir).lockFile).catch(() => null);
  if (state?.kind !== 'held') return null;
  for (let i = 0; i < 50; i++) {
    const verdict = await probe(state.info);
    if (verdict.kind === 'live') return verdict.client;
    if (verdict.kind !== 'starting') return null;
    await sleep(POLL_MS);
  }
  return null;
}
