import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { appError, fail, toAppError, type Result } from '../../../src-shared/errors.js';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL, ELECTRON_GRANT_CHANNEL, type FerryBridge } from '../../../src-shared/ipc/bridge.js';
import { isChannelName, isEventName } from './contract-names.js';

/**
 * The sandboxed preload: exposes one frozen `window.ferry` with one function per capability.
 * ipcRenderer itself and IPC event objects never reach the page. Bundled as CommonJS with only
 * 'electron' external, because sandboxed preloads cannot load ES modules.
 */

async function invoke(channel: string, payload: unknown): Promise<Result<unknown>> {
  // Unknown names are refused here, without an IPC round trip; main checks again anyway.
  if (!isChannelName(channel)) {
    return fail(appError('bad_request', `Unknown channel: ${String(channel).slice(0, 64)}`));
  }
  try {
    return (await ipcRenderer.invoke(ELECTRON_CALL_PREFIX + channel, payload)) as Result<unknown>;
  } catch (thrown) {
    // Only structured-clone failures or a torn-down main process land here.
    return fail(toAppError(thrown));
  }
}

function on(event: string, listener: (payload: unknown) => void): () => void {
  if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
  const relay = (_e: IpcRendererEvent, message: unknown): void => {
    if (typeof message !== 'object' || message === null) return;
    const { name, payload } = message as { name?: unknown; payload?: unknown };
    if (name === event) listener(payload);
  };
  ipcRenderer.on(ELECTRON_EVENT_CHANNEL, relay);
  return () => {
    ipcRenderer.removeListener(ELECTRON_EVENT_CHANNEL, relay);
  };
}

/**
 * The real path of a File the user dropped or picked, and a grant of it to main: only a File the
 * OS gave the page has a path (a page cannot make one with `new File()`), so main's path policy
 * lets the page name exactly these. Sent before the page's `jobs:add-paths` on the same pipe,
 * so main sees the grant first.
 */
function getPathForFile(file: unknown): string {
  let path = '';
  try {
    path = webUtils.getPathForFile(file as File);
  } catch {
    return ''; // not a File (or a File built in memory): there is no path to send
  }
  if (path !== '') ipcRenderer.send(ELECTRON_GRANT_CHANNEL, path);
  return path;
}

const bridge: FerryBridge = Object.freeze({ host: 'electron' as const, invoke, on, getPathForFile });

contextBridge.exposeInMainWorld('ferry', bridge);
