import type { Api } from '../api.js';
import type { ConnectionStatus } from '../connection-status.js';

/** How often the "next try in N s" countdown refreshes. */
const TICK_MS = 1_000;

/**
 * The page's connection to Ferry, for the status banner and the "open Ferry's link" screen.
 * Keeps a clock ticking only while a retry is pending, so the countdown stays true.
 */
export class ConnectionManager {
  readonly #api: Api;
  #status = $state.raw<ConnectionStatus>({ state: 'connecting' });
  #now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(api: Api) {
    this.#api = api;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }
  /** Whole seconds until the next try, while Ferry is unreachable. */
  get secondsToRetry(): number {
    const s = this.#status;
    return s.state === 'unreachable' ? Math.max(0, Math.ceil((s.retryAt - this.#now) / 1000)) : 0;
  }

  /** Follows the host connection; returns a stop function for teardown. */
  start(): () => void {
    const off = this.#api.onStatus((status) => {
      this.#status = status;
      this.#now = Date.now();
      if (status.state === 'unreachable') this.#timer ??= setInterval(() => (this.#now = Date.now()), TICK_MS);
      else this.#stopClock();
    });
    return () => {
      off();
      this.#stopClock();
    };
  }

  #stopClock(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
