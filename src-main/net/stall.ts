/**
 * "No progress for T" detection for one request. An overall timeout cannot tell a slow-but-moving
 * upload from a dead one; this can: every byte written or received calls `touch()`, and only a
 * silence of `timeoutMs` fires `onStall`. Waiting on our own bandwidth limiter is not the
 * server's fault, so callers `suspend()` the watchdog around it.
 */

/** Default stall window: 30 s without a byte either way. */
export const DEFAULT_STALL_MS = 30_000;

export type StallWatchdog = {
  /** Records progress (bytes written or received). */
  touch(): void;
  /** Stops counting (e.g. while waiting on the client's own rate limiter); `touch` resumes. */
  suspend(): void;
  /** Stops for good; `onStall` will not fire after this. */
  stop(): void;
};

/**
 * Starts a watchdog that calls `onStall(silentMs)` once when nothing called `touch` for
 * `timeoutMs`. A `timeoutMs` of 0 (or less) disables it. `now` is injectable for tests.
 * `moved` (optional) reads a counter of bytes the transport moved (a socket's bytesWritten):
 * a change seen when the timer fires counts as progress, so one large write that drains slowly
 * is not mistaken for a stall.
 */
export function startStallWatchdog(timeoutMs: number, onStall: (silentMs: number) => void, now: () => number = Date.now, moved?: () => number): StallWatchdog {
  let last = now();
  let lastMoved = moved?.() ?? 0;
  let lastCheckAt = last;
  let timer: NodeJS.Timeout | null = null;
  let stopped = timeoutMs <= 0;

  // One timer re-armed lazily: touching on every 64 KiB slice must stay cheap, so touch() only
  // moves `last` and the timer checks it when it fires.
  const arm = (delay: number): void => {
    // With a byte counter, look more often: bytes seen moving date from the previous look.
    timer = setTimeout(check, Math.max(1, moved ? Math.min(delay, timeoutMs / 4) : delay));
    timer.unref?.();
  };
  const check = (): void => {
    timer = null;
    if (stopped) return;
    const movedNow = moved?.() ?? 0;
    if (movedNow !== lastMoved) {
      lastMoved = movedNow;
      last = Math.max(last, lastCheckAt);
    }
    lastCheckAt = now();
    const silent = now() - last;
    if (silent >= timeoutMs) {
      stopped = true;
      onStall(silent);
      return;
    }
    arm(timeoutMs - silent);
  };
  if (!stopped) arm(timeoutMs);

  return {
    touch() {
      if (timeoutMs <= 0 || stopped) return;
      last = now();
      if (timer === null) arm(timeoutMs);
    },
    suspend() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
