/**
 * Garbage collection of multipart upload sessions (issue 13, hole 6). A client that starts an
 * upload and never completes it leaves its parts on disk; without this nothing ever removed them.
 * Policy only: it reads and removes sessions through the Storage API (`listUploads`,
 * `removeUpload`), so it works whatever keeps the session records.
 *
 * - A session nothing touched for `maxIdleMs` (24 h) is abandoned and removed (completed ones
 *   too: a client repeats a complete within minutes, not days).
 * - Unfinished sessions together may hold at most `maxBytes`. A start that would pass the cap
 *   first evicts the longest-idle sessions (idle at least `minIdleToEvictMs`, so no live upload
 *   loses its parts), and is refused with 507 when that is not enough.
 */
import { HttpError } from './router.js';
import type { Storage } from './storage.js';

/** Options of {@link createSessionGc}. */
export type SessionGcOptions = {
  /** Idle time after which a session is abandoned; default 24 h. */
  readonly maxIdleMs?: number;
  /** Bytes all sessions may hold on disk; default 32 GiB. */
  readonly maxBytes?: number;
  /** Only sessions idle this long are evicted to make room; default 1 h. */
  readonly minIdleToEvictMs?: number;
  /** Sweep period; default 1 h. */
  readonly intervalMs?: number;
  /** Epoch ms now; injectable so tests need not wait a day. */
  readonly clock?: () => number;
};

export type SweepResult = { readonly removed: readonly string[]; readonly heldBytes: number };

export type SessionGc = {
  /** Removes abandoned sessions, then evicts idle ones while over the cap. */
  sweep(): Promise<SweepResult>;
  /** Makes room for a new session of `size` bytes, or throws HttpError 507. */
  reserve(size: number): Promise<void>;
  /** Sweeps now and then every `intervalMs` (the timer never keeps the process alive). */
  start(): void;
  stop(): void;
};

const HOUR = 3_600_000;

/** Builds the collector for one storage. */
export function createSessionGc(storage: Storage, opts: SessionGcOptions = {}, log?: (message: string) => void): SessionGc {
  const maxIdle = opts.maxIdleMs ?? 24 * HOUR;
  const maxBytes = opts.maxBytes ?? 32 * 1024 ** 3;
  const minIdle = opts.minIdleToEvictMs ?? HOUR;
  const now = opts.clock ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<SweepResult> | null = null;
  // What the last sweep measured plus what starts declared since: checked without a disk walk.
  let held = 0;
  let reservedSince = 0;

  const run = async (needed: number): Promise<SweepResult> => {
    reservedSince = 0;
    const t = now();
    const uploads = await storage.listUploads();
    const removed: string[] = [];
    const keep = [];
    for (const u of uploads) {
      if (t - u.lastActivityMs >= maxIdle) {
        await storage.removeUpload(u.uploadId);
        removed.push(u.uploadId);
      } else keep.push(u);
    }
    held = keep.reduce((sum, u) => sum + u.bytes, 0);
    // Over the cap (with room for `needed` more): the longest-idle first, never one still being written.
    for (const u of keep.sort((a, b) => a.lastActivityMs - b.lastActivityMs)) {
      if (held + needed <= maxBytes) break;
      if (t - u.lastActivityMs < minIdle) break;
      await storage.removeUpload(u.uploadId);
      removed.push(u.uploadId);
      held -= u.bytes;
    }
    if (removed.length > 0) log?.(`session gc removed ${removed.length} abandoned upload(s)`);
    return { removed, heldBytes: held };
  };
  // One sweep at a time: the timer's callers share a running one; one that needs room runs its own after it.
  const sweep = async (needed = 0): Promise<SweepResult> => {
    if (running && needed === 0) return running;
    while (running) await running.catch(() => undefined);
    running = run(needed).finally(() => (running = null));
    return running;
  };

  return {
    sweep: () => sweep(),
    async reserve(size) {
      if (size > maxBytes) throw new HttpError(507, 'insufficient_storage', `An upload of ${size} bytes is larger than the ${maxBytes} bytes the local cloud keeps for uploads in progress.`);
      if (held + reservedSince + size > maxBytes) await sweep(size);
      if (held + reservedSince + size > maxBytes) {
        throw new HttpError(507, 'insufficient_storage', `Uploads in progress already hold ${held + reservedSince} of the ${maxBytes} bytes the local cloud keeps for them; try again later.`);
      }
      reservedSince += size;
    },
    start() {
      if (timer) return;
      void sweep().catch((err: unknown) => log?.(`session gc failed: ${String(err)}`));
      timer = setInterval(() => void sweep().catch((err: unknown) => log?.(`session gc failed: ${String(err)}`)), opts.intervalMs ?? HOUR);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
