import { appError, fail, type Result } from '../../../src-shared/errors.js';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL } from '../../../src-shared/ipc/bridge.js';
import type { EventName, EventPayload } from '../../../src-shared/ipc/channels.js';
import { dispatch, type Handlers } from '../../../src-shared/ipc/dispatch.js';
import { channelNames, isEventName } from './contract-names.js';
import { isTrustedSenderUrl } from './security.js';

/**
 * The only code that touches ipcMain / webContents.send. Written against the few members it
 * uses, so tests drive it with a fake ipcMain; the real `IpcMain` and `WebContents` fit these
 * shapes structurally.
 */

/** What registerContract needs to know about an invoke event. */
export type InvokeEventLike = {
  /** Null when the frame navigated away or was destroyed before the call arrived. */
  readonly senderFrame: { readonly url: string } | null;
};

/** The members of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, payload?: unknown) => Promise<Result<unknown>>): void;
  removeHandler(channel: string): void;
}

/** The members of Electron's WebContents used to push events. */
export interface EventSink {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export type RegisterOptions = {
  /** Sender check; defaults to isTrustedSenderUrl (app://ferry only). */
  isTrustedSender?: (url: string) => boolean;
  /** Told about refused calls, for the log. */
  onRejected?: (channel: string, senderUrl: string) => void;
};

/**
 * Registers one `ipcMain.handle('ferry:<channel>')` per contract channel. Each call checks the
 * sender frame first, then validates the payload and runs the handler through `dispatch`.
 * Replies are always Result data; nothing thrown crosses IPC. Returns an unregister function.
 */
export function registerContract(ipcMain: IpcMainLike, handlers: Handlers, opts: RegisterOptions = {}): () => void {
  const isTrusted = opts.isTrustedSender ?? isTrustedSenderUrl;
  for (const channel of channelNames) {
    ipcMain.handle(ELECTRON_CALL_PREFIX + channel, async (event, payload) => {
      const senderUrl = senderUrlOf(event);
      if (senderUrl === null || !isTrusted(senderUrl)) {
        opts.onRejected?.(channel, senderUrl ?? '(no frame)');
        return fail(appError('forbidden', `Caller is not the Ferry window: ${channel}`));
      }
      return dispatch(handlers, channel, payload);
    });
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(ELECTRON_CALL_PREFIX + channel);
  };
}

function senderUrlOf(event: InvokeEventLike): string | null {
  try {
    // Reading senderFrame of a disposed frame can throw in Electron; treat it as untrusted.
    const url = event.senderFrame?.url;
    return typeof url === 'string' ? url : null;
  } catch {
    return null;
  }
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
