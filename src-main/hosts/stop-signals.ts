/** A signal this soon after the first is the same request echoed, not a second Ctrl-C. */
const ECHO_MS = 1000;

/**
 * Calls `onStop` on the first SIGINT/SIGTERM and `onAgain` on a later one (a person pressing
 * Ctrl-C twice: "now"). conf's atomic writer (atomically → when-exit) re-raises every signal it
 * sees once to itself; that echo arrives within milliseconds and must not count as the second.
 * Returns a function that removes the handlers.
 */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void, onAgain: (signal: NodeJS.Signals) => void): () => void {
  let firstAt: number | null = null;
  const handle = (signal: NodeJS.Signals): void => {
    if (firstAt === null) {
      firstAt = Date.now();
      onStop(signal);
    } else if (Date.now() - firstAt > ECHO_MS) onAgain(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}
