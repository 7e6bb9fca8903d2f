import { appError, fail, ok, type AppError, type Result } from '../../src-shared/errors.js';
import type { AppInfo, Channel, EventName, EventPayload, RequestOf, ResponseOf } from '../../src-shared/ipc/channels.js';
import type { FerryBridge } from '../../src-shared/ipc/bridge.js';
import { FILE_HEADERS, SESSION_PATH } from '../../src-shared/ipc/file-stream.js';
import type { ConnectionStatus } from './connection-status.js';
import { createWsTransport, whenConnected, type OpenSocket, type TokenVerdict, type Transport } from './ws-transport.js';
import { streamFiles } from './stream-files.js';

/**
 * The only code in the renderer that talks to the host. It picks the Electron preload bridge
 * when `window.ferry` exists and the web host's WebSocket otherwise; everything above it uses the
 * typed methods below and never learns which host it has, except through `app:info` capabilities.
 */

/** A file the user dropped or picked, with its path relative to a dropped folder. */
export type DroppedEntry = { readonly file: File; readonly relativePath: string | null };

/** Outcome of handing dropped files to the host; `errors` lists files it refused. */
export type AddFilesResult = { jobIds: string[]; errors: { name: string; error: AppError }[] };

/** The typed host API. Every method returns errors as data and never throws for host errors. */
export type Api = {
  call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  subscribe<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void;
  /** `true` while the host is reachable; called now and on every change. */
  onConnection(cb: (connected: boolean) => void): () => void;
  /** The connection in detail, for the status banner; called now and on every change. */
  onStatus(cb: (status: ConnectionStatus) => void): () => void;
  /** Host facts and capabilities (cached after the first success). */
  info(): Promise<Result<AppInfo>>;
  addDroppedFiles(entries: readonly DroppedEntry[]): Promise<Result<AddFilesResult>>;
};

declare global {
  interface Window {
    /** Set by the Electron preload only. */
    ferry?: FerryBridge;
  }
}

function bridgeTransport(bridge: FerryBridge): Transport {
  const connected: Set<(connected: boolean) => void> = new Set();
  return {
    invoke: async (channel, payload) => {
      try {
        return await bridge.invoke(channel, payload);
      } catch (thrown) {
        return fail(appError('internal', thrown instanceof Error ? thrown.message : String(thrown)));
      }
    },
    on: (event, listener) => bridge.on(event, listener),
    // In-process IPC cannot drop; the window dies with its host.
    onConnection: (listener) => {
      listener(true);
      return () => {};
    },
    onStatus: (listener) => {
      listener({ state: 'connected' });
      return () => {};
    },
    whenConnected: (timeoutMs) => whenConnected(() => true, connected, timeoutMs),
  };
}

/** A page opened without Ferry's link: nothing to connect with, and it says so at once. */
function noTokenTransport(): Transport {
  const refused = (): Promise<Result<unknown>> =>
    Promise.resolve(fail(appError('unauthorized', "This page was opened without Ferry's link; open the address Ferry printed when it started.", { retryable: false })));
  return {
    invoke: refused,
    on: () => () => {},
    onConnection: (listener) => {
      listener(false);
      return () => {};
    },
    onStatus: (listener) => {
      listener({ state: 'no-token' });
      return () => {};
    },
    whenConnected: () => Promise.resolve(false),
  };
}

/** '' for files with no path on disk (e.g. made in memory); the preload may throw for those. */
function pathOf(bridge: FerryBridge, file: File): string {
  try {
    return bridge.getPathForFile(file);
  } catch {
    return '';
  }
}

/** Where the page keeps Ferry's token, so a reload or a bookmark without `?token` still works. */
const TOKEN_KEY = 'ferry.token';

function storageOf(win: Window): Storage | null {
  try {
    return win.localStorage;
  } catch {
    return null; // storage blocked: the address is the only source
  }
}

/**
 * The web host's token: from the address (`?token=`) or remembered from an earlier visit to this
 * address ('' when neither). Browser mode keeps one token per profile and its port, so a
 * remembered token outlives restarts of Ferry.
 */
function pageToken(win: Window): string {
  const fromUrl = new URLSearchParams(win.location.search).get('token') ?? '';
  return fromUrl !== '' ? fromUrl : (storageOf(win)?.getItem(TOKEN_KEY) ?? '');
}

function webSocketUrl(win: Window, token: string): string {
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${win.location.host}/ws?token=${encodeURIComponent(token)}`;
}

/** The browser's WebSocket behind OpenSocket ('error' is always followed by 'close'). */
export const browserSocket: OpenSocket = (url, on) => {
  const ws = new WebSocket(url);
  ws.addEventListener('open', () => on.open());
  ws.addEventListener('message', (ev) => on.message(ev.data));
  ws.addEventListener('close', () => on.close());
  return { send: (text) => ws.send(text), isOpen: () => ws.readyState === WebSocket.OPEN };
};

/** Asks the host (plain HTTP, same origin) whether it takes `token`; see SESSION_PATH. */
async function checkToken(token: string): Promise<TokenVerdict> {
  try {
    const res = await fetch(SESSION_PATH, { headers: { [FILE_HEADERS.token]: token }, cache: 'no-store' });
    if (res.status === 204) return 'valid';
    return res.status === 401 ? 'invalid' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

/** Files chosen while the host is away wait this long for it before failing (retryable). */
const SEND_WAIT_MS = 30_000;

/** Builds the API over whichever host is present. Exported for tests; the app uses `getApi()`. */
export function createApi(win: Window = window): Api {
  const bridge = win.ferry;
  const token = bridge ? '' : pageToken(win);
  const transport = bridge
    ? bridgeTransport(bridge)
    : token === ''
      ? noTokenTransport()
      : createWsTransport(webSocketUrl(win, token), { checkToken: () => checkToken(token), openSocket: browserSocket });
  // Remembered only once Ferry took it, so a stale link never replaces a good token.
  if (!bridge && token !== '') transport.onStatus((s) => s.state === 'connected' && storageOf(win)?.setItem(TOKEN_KEY, token));
  let infoResult: Promise<Result<AppInfo>> | null = null;

  const call = <C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> =>
    transport.invoke(channel, payload) as Promise<Result<ResponseOf<C>>>;

  const info = (): Promise<Result<AppInfo>> => {
    if (!infoResult) {
      infoResult = call('app:info', {});
      // Do not cache a failure: the host may just be restarting.
      void infoResult.then((r) => {
        if (!r.ok) infoResult = null;
      });
    }
    return infoResult;
  };

  return {
    call,
    info,
    subscribe: (name, cb) => transport.on(name, cb as (payload: unknown) => void),
    onConnection: (cb) => transport.onConnection(cb),
    onStatus: (cb) => transport.onStatus(cb),
    async addDroppedFiles(entries) {
      if (entries.length === 0) return ok({ jobIds: [], errors: [] });
      // Chosen while Ferry is away (restarting, say): wait for it rather than fail at once, but
      // not forever; the message says the files were not sent and that sending again will work.
      if (!(await transport.whenConnected(SEND_WAIT_MS))) {
        const n = entries.length;
        return fail(appError('network', `Ferry is not reachable, so ${n === 1 ? '1 file was' : `${n} files were`} not sent. Send ${n === 1 ? 'it' : 'them'} again once Ferry is back.`, { retryable: true }));
      }
      const facts = await info();
      if (!facts.ok) return facts;
      const caps = facts.value.capabilities;
      if (bridge && caps.droppedFilePaths) {
        // Electron: the host reads the files itself, so only paths cross the boundary.
        const paths = entries.map((e) => pathOf(bridge, e.file)).filter((p) => p.length > 0);
        if (paths.length === 0) return fail(appError('not_a_file', 'None of the dropped items has a path on disk.'));
        const added = await call('jobs:add-paths', { paths });
        if (!added.ok) return added;
        const errors = added.value.skipped.map((s) => ({ name: s.path, error: appError('not_a_file', s.reason) }));
        return ok({ jobIds: added.value.jobIds, errors });
      }
      if (!bridge && caps.streamDroppedFiles) return streamFiles(entries, token);
      return fail(appError('unsupported', 'This host cannot receive dropped files.'));
    },
  };
}

let singleton: Api | null = null;

/** The app-wide API, created on first use so importing this module has no side effects. */
export function getApi(): Api {
  singleton ??= createApi();
  return singleton;
}
