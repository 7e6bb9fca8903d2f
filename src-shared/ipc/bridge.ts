import type { Result } from '../errors.js';

/**
 * The one frozen object the Electron preload exposes as `window.ferry`. The web transport in
 * src-renderer/lib/api.ts offers the same shape over a WebSocket, so the rest of the renderer
 * never knows which host it runs in.
 */
export type FerryBridge = {
  readonly host: 'electron';
  invoke(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Returns an unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Electron only: the absolute path of a dropped File (webUtils.getPathForFile). */
  getPathForFile(file: unknown): string;
};

/** The IPC channel names Electron uses to carry the contract. */
export const ELECTRON_CALL_PREFIX = 'ferry:';
export const ELECTRON_EVENT_CHANNEL = 'ferry:event';
/**
 * Preload → main, not part of the contract the page can call: the real path of a File the user
 * dropped or picked (webUtils.getPathForFile), which main's path policy then lets the page name.
 */
export const ELECTRON_GRANT_CHANNEL = 'ferry:grant-path';
