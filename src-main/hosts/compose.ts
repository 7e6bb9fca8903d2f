import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import { createEngine } from '../engine/engine.js';
import { createHandlers } from '../engine/handlers.js';
import { openJournal, type Journal } from '../engine/journal/sqlite-store.js';
import type { JobStore } from '../engine/ports.js';
import type { Engine } from '../engine/types.js';
import type { LocalCloud } from '../localcloud/server.js';
import { startStableLocalCloud } from './local-cloud-port.js';
import { createFilestackProvider } from '../providers/filestack/provider.js';
import { createLogger, type ClosableLogger } from './logger.js';

/** The local cloud's built-in API key (not a secret: the server only listens on 127.0.0.1). */
export const LOCAL_CLOUD_APIKEY = 'FerryLocalCloudKey0001';
const DEFAULT_VERSION = '0.1.0';

/** Everything a host needs, built once per launch. */
export type FerryApp = {
  readonly engine: Engine;
  readonly handlers: Handlers;
  readonly localCloud: LocalCloud;
  readonly info: AppInfo;
  readonly dataDir: string;
  readonly logger: ClosableLogger;
  close(): Promise<void>;
};

export type CreateAppOptions = {
  readonly dataDir: string;
  readonly host: 'web' | 'electron';
  readonly version?: string;
  /** Job store; defaults to the durable SQLite journal under the data folder. */
  readonly store?: JobStore;
  /** Also write log lines to stderr. */
  readonly logToStderr?: boolean;
};

/**
 * The composition root: starts the local cloud on a free 127.0.0.1 port (data under
 * `<dataDir>/localcloud`), points a Filestack provider at it as destination `local`, builds the
 * engine and one handler per contract channel. Hosts only add their transport.
 */
export async function createApp(opts: CreateAppOptions): Promise<FerryApp> {
  await mkdir(opts.dataDir, { recursive: true });
  const logger = createLogger({ dataDir: opts.dataDir, stderr: opts.logToStderr ?? false });
  const localCloud = await startStableLocalCloud(join(opts.dataDir, 'localcloud'));
  try {
    const local = createFilestackProvider({
      kind: 'local',
      apikey: LOCAL_CLOUD_APIKEY,
      uploadBase: localCloud.baseUrl,
      cdnBase: localCloud.baseUrl,
      fileApiBase: localCloud.baseUrl,
    });
    const { store, journal } = openStore(opts, logger);
    const engine = createEngine({
      providers: { local },
      store,
      clock: { now: () => Date.now() },
      logger,
      defaultDestination: 'local',
    });
    const info: AppInfo = {
      host: opts.host,
      version: opts.version ?? DEFAULT_VERSION,
      capabilities:
        opts.host === 'web'
          ? { droppedFilePaths: false, streamDroppedFiles: true }
          : { droppedFilePaths: true, streamDroppedFiles: false },
      defaultDestination: 'local',
    };
    logger.info('app started', { host: opts.host, localCloud: localCloud.baseUrl });
    let closing: Promise<void> | null = null;
    return {
      engine,
      handlers: createHandlers(engine, info),
      localCloud,
      info,
      dataDir: opts.dataDir,
      logger,
      close: () =>
        (closing ??= (async () => {
          await engine.close();
          journal?.close();
          await localCloud.close();
          logger.info('app closed');
          await logger.close();
        })()),
    };
  } catch (thrown) {
    await localCloud.close();
    await logger.close();
    throw thrown;
  }
}

/** The caller's store, or the durable journal we own (and close). */
function openStore(opts: CreateAppOptions, logger: ClosableLogger): { store: JobStore; journal: Journal | null } {
  if (opts.store) return { store: opts.store, journal: null };
  const journal = openJournal({ dir: opts.dataDir, logger });
  if (journal.status.mode === 'memory') {
    // Never a startup failure: the app stays usable, and the reason is in the log.
    logger.warn('journal unavailable; uploads will not survive a restart', { code: journal.status.error.code });
  }
  return { store: journal, journal };
}
