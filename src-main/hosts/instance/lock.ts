import { open, readFile, rmdir, mkdir, stat, unlink } from 'node:fs/promises';
import { z } from 'zod';
import { errnoCode } from '../../engine/file-system.js';
import { ownerKindSchema } from './messages.js';

/** The lock file's content: who owns the data folder and how to reach it. */
export const lockInfoSchema = z.object({
  v: z.literal(1),
  pid: z.number().int().positive(),
  kind: ownerKindSchema,
  socket: z.string().min(1),
  /** Random per owner; a client must present it on the socket. The file is 0600 in a 0700 folder. */
  secret: z.string().min(16).max(128),
  /** Epoch ms. */
  startedAt: z.number(),
});
export type LockInfo = z.infer<typeof lockInfoSchema>;

/** What is in the lock file: nothing, a valid owner, or bytes we cannot read (with the file's age). */
export type LockState = { kind: 'none' } | { kind: 'held'; info: LockInfo; raw: string } | { kind: 'unreadable'; raw: string; ageMs: number };

/** A takeover guard older than this belongs to a process that died while holding it. */
const TAKEOVER_STALE_MS = 10_000;

export async function readLock(file: string, now: () => number = Date.now): Promise<LockState> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (thrown) {
    if (errnoCode(thrown) === 'ENOENT') return { kind: 'none' };
    throw thrown;
  }
  try {
    return { kind: 'held', info: lockInfoSchema.parse(JSON.parse(raw)), raw };
  } catch {
    const ageMs = await stat(file).then((s) => now() - s.mtimeMs, () => 0);
    return { kind: 'unreadable', raw, ageMs };
  }
}

/**
 * Creates the lock file exclusively (O_EXCL) with our content, synced to disk, mode 0600.
 * False when someone else's file is there: creating is the only way to own the folder.
 */
export async function createLock(file: string, info: LockInfo): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (thrown) {
    if (errnoCode(thrown) === 'EEXIST') return false;
    throw thrown;
  }
  try {
    await handle.writeFile(JSON.stringify(info));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes a stale lock whose content is exactly `seen`. Two processes may both judge the same
 * lock stale; the mkdir guard lets one at a time re-read and remove it, so nobody deletes a lock
 * a third process has just created in its place. Returns when the attempt is over either way.
 */
export async function removeStaleLock(file: string, seen: string, now: () => number = Date.now): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await mkdir(guard);
  } catch (thrown) {
    if (errnoCode(thrown) !== 'EEXIST') throw thrown;
    const age = await stat(guard).then((s) => now() - s.mtimeMs, () => 0);
    if (age > TAKEOVER_STALE_MS) await rmdir(guard).catch(() => undefined);
    return;
  }
  try {
    const current = await readFile(file, 'utf8').catch(() => null);
    if (current === seen) await unlink(file).catch(() => undefined);
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

/** Releases our own lock: removed only while it still holds our secret. */
export async function releaseLock(file: string, info: LockInfo): Promise<void> {
  const state = await readLock(file).catch(() => null);
  if (state?.kind === 'held' && state.info.secret === info.secret) await unlink(file).catch(() => undefined);
}

/** True while a process with this pid exists (EPERM: it exists, as another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (thrown) {
    return errnoCode(thrown) === 'EPERM';
  }
}
