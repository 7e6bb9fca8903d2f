/**
 * Where the page stands with its host. Electron's IPC is always `connected`; the web host's
 * socket goes through the others, and each one tells the user something different to do.
 */
export type ConnectionStatus =
  /** First attempt, nothing known yet. */
  | { readonly state: 'connecting' }
  | { readonly state: 'connected' }
  /** Ferry does not answer at this address; retrying (attempt n, next try at `retryAt`, epoch ms). */
  | { readonly state: 'unreachable'; readonly everConnected: boolean; readonly attempt: number; readonly retryAt: number }
  /** Ferry answers but does not accept this page's token (a new token, another profile). */
  | { readonly state: 'refused' }
  /** The page was opened without Ferry's link (no `?token=`) and none is remembered. */
  | { readonly state: 'no-token' };

/** After this many failed tries a lost connection also says what the user can do about it. */
export const ATTEMPTS_BEFORE_ADVICE = 6;
