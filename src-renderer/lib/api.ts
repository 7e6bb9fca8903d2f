import { appError, fail, ok, type AppError, type Result } from '../../src-shared/errors.js';
import type { AppInfo, Channel, EventName, EventPayload, RequestOf, ResponseOf } from '../../src-shared/ipc/channels.js';
import type { FerryBridge } from '../../src-shared/ipc/bridge.js';
import { createWsTransport, type Transport } from './ws-transport.js';
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

function webSocketUrl(): { url: string; token: string } {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return { url: `${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`, token };
}

/** Builds the API over whichever host is present. Exported for tests; the app uses `getApi()`. */
export function createApi(win: Window = window): Api {
  const bridge = win.ferry;
  const web = bridge ? null : webSocketUrl();
  const transport = bridge ? bridgeTransport(bridge) : createWsTransport(web!.url);
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
    async addDroppedFiles(entries) {
      if (entries.length === 0) return ok({ jobIds: [], errors: [] });
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
      if (web && caps.streamDroppedFiles) return streamFiles(entries, web.token);
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
