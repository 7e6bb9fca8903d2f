import { appError, fail, type Result } from '../../../src-shared/errors.js';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL, ELECTRON_GRANT_CHANNEL } from '../../../src-shared/ipc/bridge.js';
import type { EventName, EventPayload } from '../../../src-shared/ipc/channels.js';
import { dispatch, type Handlers } from '../../../src-shared/ipc/dispatch.js';
import { channelNames, isEventName } from './contract-names.js';
import { isTrustedSenderUrl } from './security.js';

/**
 * The only code that touches ipcMain / webContents.send. Written against the few members it
 * uses, so tests drive it with a fake ipcMain; the real `IpcMain`, `IpcMainEvent` and
 * `WebContents` fit these shapes structurally.
 */

/** What the sender check needs to know about an IPC event. */
export type InvokeEventLike = {
  /** The webContents the message came from. */
  readonly sender: { readonly id: number };
  /** Null when the frame navigated away or was destroyed before the call arrived. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
};

/** The members of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload?: unknown) => Promise<Result<unknown>>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => void): void;
  removeAllListeners(channel: string): void;
}

/** The members of Electron's WebContents used to push events. */
export interface EventSink {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export type SenderCheck = {
  /** Is this webContents id Ferry's own window? (Main knows its windows; nothing else is trusted.) */
  isOwnWindow: (webContentsId: number) => boolean;
  /** Told about refused messages, for the log. */
  onRejected?: (channel: string, sender: string) => void;
};

/**
 * Trusted only when the message comes from the main frame (no parent) of Ferry's own window,
 * showing a page of the app origin. A subframe at app://ferry (an iframe the page was tricked
 * into making) or another window is refused, whatever its URL.
 */
export function senderProblem(event: InvokeEventLike, isOwnWindow: (id: number) => boolean): string | null {
  try {
    // Reading senderFrame of a disposed frame can throw in Electron; treat it as untrusted.
    const frame = event.senderFrame;
    if (frame === null || frame === undefined) return '(no frame)';
    if (!isOwnWindow(event.sender.id)) return `another window (${frame.url})`;
    if (frame.parent !== null) return `a subframe (${frame.url})`;
    return isTrustedSenderUrl(frame.url) ? null : frame.url;
  } catch {
    return '(no frame)';
  }
}

/**
 * Registers one `ipcMain.handle('ferry:<channel>')` per contract channel. Each call checks the
 * sender first, then validates the payload and runs the handler through `dispatch`. Replies are
 * always Result data; nothing thrown crosses IPC. Returns an unregister function.
 */
export function registerContract(ipcMain: IpcMainLike, handlers: Handlers, check: SenderCheck): () => void {
  for (const channel of channelNames) {
    ipcMain.handle(ELECTRON_CALL_PREFIX + channel, async (event, payload) => {
      const problem = senderProblem(event, check.isOwnWindow);
      if (problem !== null) {
        check.onRejected?.(channel, problem);
        return fail(appError('forbidden', `Caller is not the Ferry window: ${channel}`));
      }
      return dispatch(handlers, channel, payload);
    });
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(ELECTRON_CALL_PREFIX + channel);
  };
}

/** Longest path accepted on the grant channel (as the contract's path strings). */
const MAX_PATH_CHARS = 4096;

/**
 * Listens for the preload's grants (ELECTRON_GRANT_CHANNEL): the real path of a File the user
 * dropped or picked. Only the same trusted sender as the contract counts; anything that is not
 * one absolute path string is ignored. Returns an unregister function.
 */
export function registerGrants(ipcMain: IpcMainLike, grant: (paths: string[]) => void, check: SenderCheck): () => void {
  ipcMain.on(ELECTRON_GRANT_CHANNEL, (event, path) => {
    const problem = senderProblem(event, check.isOwnWindow);
    if (problem !== null) return check.onRejected?.(ELECTRON_GRANT_CHANNEL, problem);
    if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_CHARS || path.includes('\0')) return;
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) return;
    grant([path]);
  });
  return () => ipcMain.removeAllListeners(ELECTRON_GRANT_CHANNEL);
}

/** The one message shape on ELECTRON_EVENT_CHANNEL; the preload filters on `name`. */
export type PushedEvent = { readonly name: EventName; readonly payload: unknown };

/**
 * Pushes a contract event to a window. Names outside the events map are refused at runtime too
 * (the type already forbids them); a closed window is skipped. Returns whether it was sent.
 */
export function pushEvent<E extends EventName>(target: EventSink, name: E, payload: EventPayload<E>): boolean {
  if (!isEventName(name) || target.isDestroyed()) return false;
  const message: PushedEvent = { name, payload };
  target.send(ELECTRON_EVENT_CHANNEL, message);
  return true;
}
