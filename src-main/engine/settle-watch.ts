import { errnoCode, type EngineFs } from './file-system.js';
import type { Timers } from './progress.js';

/** How long size and mtime must stay unchanged before a changed file counts as settled. */
export const DEFAULT_SETTLE_MS = 2_000;
const POLL_MS = 500;

/**
 * Watches a file that changed while uploading until it settles (same size and mtime for
 * `settleMs`), then calls `onSettled` with its new size — once. It never gives up on a slow
 * writer; `stop()` ends it (cancel, pause, shutdown). A file that disappears ends it quietly:
 * the job stays paused with its "changed" reason for the user to decide.
 */
export function watchUntilSettled(
  fs: EngineFs,
  timers: Timers,
  path: string,
  onSettled: (size: number) => void,
  settleMs = DEFAULT_SETTLE_MS,
): { stop(): void } {
  let stopped = false;
  let last: { size: number; mtimeMs: number } | null = null;
  let stableFor = 0;
  let timer: unknown = null;
  const poll = async (): Promise<void> => {
    if (stopped) return;
    try {
      const facts = await fs.stat(path);
      if (stopped) return;
      if (last && facts.size === last.size && facts.mtimeMs === last.mtimeMs) stableFor += POLL_MS;
      else stableFor = 0;
      last = { size: facts.size, mtimeMs: facts.mtimeMs };
      if (stableFor >= settleMs) {
        stopped = true;
        onSettled(facts.size);
        return;
      }
    } catch (thrown) {
      if (errnoCode(thrown) === 'ENOENT') return;
    }
    timer = timers.setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
  return {
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
    },
  };
}
