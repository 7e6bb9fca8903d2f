import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInfo, EventPayload } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import { createEngine } from '../engine/engine.js';
import { createHandlers } from '../engine/handlers.js';
import { openJournal, type Journal } from '../engine/journal/sqlite-store.js';
import type { JobStore, Provider } from '../engine/ports.js';
import { createSettingsHandlers } from '../engine/settings-handlers.js';
import { openSettings, type SettingsBackingFactory, type SettingsStore } from '../engine/settings-store.js';
import { createRateLimiter, type RateLimiter } from '../net/throttle.js';
import type { DestinationKind, Job } from '../../src-shared/model/job.js';
import type { Engine } from '../engine/types.js';
import type { RetryPolicy } from '../engine/retry.js';
import type { LocalCloud } from '../localcloud/server.js';
import { startStableLocalCloud, type PortFileUse } from './local-cloud-port.js';
import { DEFAULT_LOCAL_APIKEY } from '../localcloud/context.js';
import { DEFAULT_IMAGEKIT_ID } from '../localcloud/imagekit/account.js';
import { loadOrCreateInstallKeys } from '../localcloud/install-keys.js';
import { createFilestackProvider, DEFAULT_PART_SIZE } from '../providers/filestack/provider.js';
import type { UploadEvent } from '../providers/filestack/retry-loop.js';
import { imagekitProvidersFromEnv } from '../providers/imagekit/from-env.js';
import { createLogger, type ClosableLogger } from './logger.js';
import { createDestinationHandlers, createDestinations, type Destinations } from './destinations.js';
import { createUrlIntake } from './url-intake.js';
import { confirmingAssert, createPathPolicy, explicitRoots, type ConfirmPaths, type PathPolicy } from './path-policy.js';
import { createDialogHandlers, type ChoosePaths } from './dialogs.js';
import { createSecretsHandlers } from './secrets-handlers.js';
import { observeLibraryAdds } from './library/added-feed.js';
import { createLibrary, createMadeFileRecorder, loadOrCreateAppSecret, type LibraryService } from './library/index.js';
import { createWatchHandlers } from '../watch/handlers.js';
import { createWatchService, type WatchService } from '../watch/service.js';
import type { WatchTime } from '../watch/stability.js';
import { createEventHub, type EventHub } from '../engine/events.js';
import { createMediaHandlers } from './media/handlers.js';
import { createMediaService } from './media/service.js';
import { createStudioHandlers } from './studio/handlers.js';
import { imagekitClientFromEnv } from './studio/imagekit-from-env.js';
import { createStudioService } from './studio/service.js';
import { accessFor } from './service-access.js';
import { attachLinkActions } from './link-actions.js';
import { realTimers } from '../engine/progress.js';
import { DEFAULT_VERSION } from './version.js';

/** The Electron window's origin (hosts/electron/security.ts APP_ORIGIN), allowed to call the embedded cloud. */
const ELECTRON_APP_ORIGIN = 'app://ferry';

/** Everything a host needs, built once per launch. */
export type FerryApp = {
  readonly engine: Engine;
  /** The contract as the renderer gets it: `jobs:add-paths` only for what the user gave Ferry. */
  readonly handlers: Handlers;
  /**
   * The same handlers without the renderer's path guard, for callers that are the user: the
   * instance socket (the CLI, a second launch) names files the user gave on a command line.
   */
  readonly trustedHandlers: Handlers;
  /** The stored jobs with their local source paths (which the views never carry). */
  jobRecords(): Job[];
  /** The embedded local cloud, or only the base URL and a no-op close for an external one. */
  readonly localCloud: Pick<LocalCloud, 'baseUrl' | 'close' | 'allowOrigin'>;
  /** Transfer settings (settings.json via electron-store / conf), applied live to the engine and providers. */
  readonly settings: SettingsStore;
  /** The app-wide bandwidth limit, kept in step with `settings.bandwidthLimit`. */
  readonly limiter: RateLimiter;
  readonly info: AppInfo;
  readonly dataDir: string;
  readonly logger: ClosableLogger;
  /** Watch folders; started with the engine, stopped on close. */
  readonly watch: WatchService;
  /** Finished uploads (journal history), remote delete and signed links. */
  readonly library: LibraryService;
  /** Filestack/ImageKit destinations built from the keychain (refreshed on secret or settings changes). */
  readonly destinations: Destinations;
  /** What the renderer may name by path; the Electron shell grants what the user drops or picks. */
  readonly paths: PathPolicy;
  /** Every push event of the contract: the engine's plus app services' (e.g. `media:updated`). Hosts forward these. */
  readonly on: EventHub['on'];
  /** Asks the window to show an item (a clicked notification); the window switches view and scrolls to it. */
  reveal(target: EventPayload<'app:reveal'>): void;
  close(): Promise<void>;
};

export type CreateAppOptions = {
  readonly dataDir: string;
  readonly host: 'web' | 'electron';
  readonly version?: string;
  /** Job store; defaults to the durable SQLite journal under the data folder. */
  readonly store?: JobStore;
  /** Explicit folders `jobs:add-paths` may read from (default: FERRY_ALLOWED_ROOTS; see path-policy.ts). */
  readonly allowedRoots?: readonly string[];
  /** A native open dialog (Electron); without one `dialog:choose` answers `unsupported`. */
  readonly choosePaths?: ChoosePaths;
  /** A native yes/no for a typed watch folder outside what the user gave (Electron); see path-policy.ts. */
  readonly confirmPaths?: ConfirmPaths;
  /** Quiet time before a watched file counts as written (ms, default 2000; tests use less). */
  readonly watchStabilityMs?: number;
  /** The clock that window runs on (default: real time; a test moves its own, see watch/stability.ts). */
  readonly watchStabilityTime?: WatchTime;
  /** Also write log lines to stderr. */
  readonly logToStderr?: boolean;
  /** Use a local cloud that already runs at this base URL instead of starting one (CLI, tests). */
  readonly localCloudUrl?: string;
  /** `borrow`: a `ferry` command standing in for the app never changes its port file (local-cloud-port.ts). */
  readonly localCloudPort?: PortFileUse['mode'];
  /** Retry budget of the engine and the local destination's requests (default DEFAULT_RETRY_POLICY; the CLI's --retries). */
  readonly retry?: RetryPolicy;
  /** More destinations (e.g. real Filestack for the CLI), built once settings are known. */
  readonly providers?: (wiring: { settings: SettingsStore; limiter: RateLimiter }) => Partial<Record<DestinationKind, Provider>>;
  readonly defaultDestination?: DestinationKind;
  /** Ask for Filestack Intelligent Ingestion on the local destination (the CLI's --intelligent). */
  readonly intelligent?: boolean;
  /** Hears the local destination's upload events (the CLI says when intelligent ingestion was not granted). */
  readonly onUploadEvent?: (event: UploadEvent) => void;
  /** The settings file's store: electron-store from the Electron host (it imports electron); conf by default. */
  readonly settingsBacking?: SettingsBackingFactory;
};

/**
 * The composition root: starts the local cloud on a free 127.0.0.1 port (data under
 * `<dataDir>/localcloud`), points a Filestack provider at it as destination `local`, builds the
 * engine and one handler per contract channel. Hosts only add their transport.
 */
export async function createApp(opts: CreateAppOptions): Promise<FerryApp> {
  await mkdir(opts.dataDir, { recursive: true });
  const logger = createLogger({ dataDir: opts.dataDir, stderr: opts.logToStderr ?? false });
  // The built-in app's per-install secret signs library links; security stays optional.
  const localSecret = opts.localCloudUrl ? null : await loadOrCreateAppSecret(join(opts.dataDir, 'localcloud'));
  // The embedded cloud's keys are made once per install; an external one is a standalone cloud
  // with its documented default apikey. `localApikey` is the one place the app reads it from.
  const installKeys = opts.localCloudUrl ? null : await loadOrCreateInstallKeys(join(opts.dataDir, 'localcloud'));
  const localApikey = installKeys?.apikey ?? DEFAULT_LOCAL_APIKEY;
  const localCloud = installKeys
    ? await startStableLocalCloud(join(opts.dataDir, 'localcloud'), {
        // Files of installs from before per-install keys were stored under the old constant.
        apps: [{ apikey: installKeys.apikey, formerKeys: [DEFAULT_LOCAL_APIKEY], intelligentIngestion: true, ...(localSecret ? { secret: localSecret } : {}) }],
        imagekit: { accounts: [{ imagekitId: DEFAULT_IMAGEKIT_ID, privateKey: installKeys.imagekitPrivateKey, publicKey: installKeys.imagekitPublicKey }] },
        // The web host adds its own origin once it listens (web-host.ts).
        corsOrigins: opts.host === 'electron' ? [ELECTRON_APP_ORIGIN] : [],
      }, { mode: opts.localCloudPort ?? 'own' })
    : { baseUrl: (opts.localCloudUrl ?? '').replace(/\/+$/, ''), close: async () => {}, allowOrigin: () => {} };
  try {
    const settings = await openSettings({ dir: opts.dataDir, logger, ...(opts.settingsBacking ? { backing: opts.settingsBacking } : {}) });
    const limiter = createRateLimiter(settings.get().bandwidthLimit || undefined);
    const local = createFilestackProvider({
      kind: 'local',
      apikey: localApikey,
      uploadBase: localCloud.baseUrl,
      cdnBase: localCloud.baseUrl,
      fileApiBase: localCloud.baseUrl,
      // Read per upload, so a settings change applies to the next file that starts.
      get partConcurrency() {
        return settings.get().partConcurrency;
      },
      limiter,
      // The local cloud's answers carry the MD5 of the bytes it stored: no metadata call per file,
      // and a small file goes up in one request.
      verifyFromComplete: true,
      singleRequestMax: DEFAULT_PART_SIZE,
      ...(opts.intelligent ? { intelligent: true } : {}),
      onEvent: (event) => {
        if (event.type === 'fii-not-granted') logger.warn('intelligent ingestion not granted', { file: event.file });
        opts.onUploadEvent?.(event);
      },
      ...(opts.retry ? { retry: opts.retry } : {}),
    });
    // App services push through this hub; `on` below merges it with the engine's events.
    const appEvents = createEventHub(logger);
    const { store, journal, stopFeed } = openStore(opts, logger, (ids) => appEvents.emit('library:added', { ids }));
    // FERRY_IMAGEKIT_PRIVATE_KEY + FERRY_IMAGEKIT_URL_ENDPOINT add an `imagekit` destination; explicit providers win.
    const fixedProviders = { ...imagekitProvidersFromEnv(logger), ...opts.providers?.({ settings, limiter }) };
    const secretsHandlers = createSecretsHandlers(logger);
    const destinations = createDestinations({
      secrets: secretsHandlers.store,
      settings,
      limiter,
      logger,
      apply: (kind, provider) => engine.setProvider(kind, provider),
      pinned: new Set(Object.keys(fixedProviders) as DestinationKind[]),
    });
    const engine = createEngine({
      providers: { local, ...fixedProviders },
      store,
      clock: { now: () => Date.now() },
      logger,
      // Read per drop: follows the `defaultDestination` setting while that destination is configured.
      get defaultDestination() {
        return opts.defaultDestination ?? destinations.effectiveDefault();
      },
      fileConcurrency: settings.get().fileConcurrency,
      ...(opts.retry ? { retry: opts.retry } : {}),
    });
    settings.onChange((next) => {
      engine.setFileConcurrency(next.fileConcurrency);
      // Waiting request bodies see the new rate at once.
      limiter.setRate(next.bandwidthLimit || undefined);
    });
    const info: AppInfo = {
      host: opts.host,
      version: opts.version ?? DEFAULT_VERSION,
      capabilities:
        opts.host === 'web'
          ? { droppedFilePaths: false, streamDroppedFiles: true, nativeDialogs: opts.choosePaths !== undefined }
          : { droppedFilePaths: true, streamDroppedFiles: false, nativeDialogs: opts.choosePaths !== undefined },
      get defaultDestination() {
        return opts.defaultDestination ?? destinations.effectiveDefault();
      },
    };
    // Electron: folders the user chose to watch (through the policy) count as given; read late
    // because the watch service is built next. Browser mode watches any folder the page names, so
    // there they stay roots of their own watch only.
    let watchedFolders: () => readonly string[] = () => [];
    const paths = createPathPolicy({ explicit: opts.allowedRoots ?? explicitRoots(), ...(opts.host === 'electron' ? { watched: () => watchedFolders() } : {}) });
    const watch = createWatchService({
      engine,
      dataDir: opts.dataDir,
      logger,
      ...(opts.watchStabilityMs !== undefined ? { stabilityMs: opts.watchStabilityMs } : {}),
      ...(opts.watchStabilityTime ? { stabilityTime: opts.watchStabilityTime } : {}),
      // Browser mode: the page behind the token is the user, so a folder added there is the allowed
      // root of its own watch. Electron keeps its path policy (a folder picked in its dialog is granted).
      ...(opts.host === 'electron' ? { assertAllowed: confirmingAssert(paths, opts.confirmPaths, 'watch and upload this folder') } : {}),
    });
    watchedFolders = () => watch.list().map((f) => f.path);
    await watch.start();
    const urlIntake = createUrlIntake({ stagingRoot: join(opts.dataDir, 'staging'), engine, logger, destination: () => opts.defaultDestination ?? destinations.effectiveDefault() });
    // In the background: probing the keychain can take seconds and must not delay the window.
    void destinations.refresh();
    const stopLinkActions = attachLinkActions({ engine, settings, watch, timers: realTimers, emit: (e) => appEvents.emit('app:link-actions', e) });
    // Studio, media and library reach the same accounts the uploads went to (destinations.ts).
    const access = accessFor({ destinations, local: { apikey: localApikey, cdnBase: localCloud.baseUrl } });
    const imagekitFromEnv = imagekitClientFromEnv();
    const imagekitClient = () => destinations.imagekitClient() ?? imagekitFromEnv();
    // The Library is the hub: Studio and Media start from any entry and record what they make there.
    const hub = { history: journal?.history ?? null, record: createMadeFileRecorder(journal?.history ?? null, logger) };
    const studio = createStudioService({ jobs: () => engine.list(), ...hub, filestack: access.processing, imagekit: imagekitClient });
    const media = createMediaService({ jobs: () => engine.list(), ...hub, av: access.av, emit: (jobs) => appEvents.emit('media:updated', { jobs }), logger });
    const library = await createLibrary({
      dataDir: opts.dataDir,
      history: journal?.history ?? null,
      local: { kind: 'filestack', apikey: localApikey, cdnBase: localCloud.baseUrl, fileApiBase: localCloud.baseUrl, secret: localSecret },
      secrets: secretsHandlers.store,
      filestack: () => {
        const a = destinations.filestackAccess();
        return a ? { kind: 'filestack', ...a } : null;
      },
      imagekit: () => {
        const client = destinations.imagekitClient();
        return client ? { kind: 'imagekit', client, urlEndpoint: client.config.urlEndpoint } : null;
      },
      logger,
    });
    logger.info('app started', { host: opts.host, localCloud: localCloud.baseUrl });
    let closing: Promise<void> | null = null;
    const trustedHandlers: Handlers = { ...createHandlers(engine, info), ...secretsHandlers, ...createDestinationHandlers(destinations, secretsHandlers), 'jobs:add-url': urlIntake['jobs:add-url'], ...createSettingsHandlers(settings), ...createWatchHandlers(watch), ...createStudioHandlers(studio), ...createMediaHandlers(media), ...library.handlers, ...createDialogHandlers(paths, opts.choosePaths) };
    return {
      engine,
      handlers: guardPaths(trustedHandlers, engine, paths),
      trustedHandlers,
      jobRecords: () => store.loadAll(),
      localCloud,
      settings,
      limiter,
      info,
      dataDir: opts.dataDir,
      logger,
      watch,
      paths,
      library: library.service,
      destinations,
      reveal: (target) => appEvents.emit('app:reveal', target),
      on: (name, listener) => {
        const offEngine = engine.on(name, listener);
        const offApp = appEvents.on(name, listener);
        return () => {
          offEngine();
          offApp();
        };
      },
      close: () =>
        (closing ??= (async () => {
          // Intake stops first so no new job starts while the engine winds down.
          await watch.stop();
          stopLinkActions();
          urlIntake.close();
          destinations.close();
          await media.close();
          await engine.close();
          stopFeed();
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

/** The caller's store, or the durable journal we own (and close), announcing new Library entries. */
function openStore(opts: CreateAppOptions, logger: ClosableLogger, onAdded: (ids: string[]) => void): { store: JobStore; journal: Journal | null; stopFeed: () => void } {
  if (opts.store) return { store: opts.store, journal: null, stopFeed: () => {} };
  const opened = openJournal({ dir: opts.dataDir, logger });
  if (opened.status.mode === 'memory') {
    // Never a startup failure: the app stays usable, and the reason is in the log.
    logger.warn('journal unavailable; uploads will not survive a restart', { code: opened.status.error.code });
  }
  const { journal, close } = observeLibraryAdds(opened, onAdded);
  return { store: journal, journal, stopFeed: close };
}

/**
 * Wraps `jobs:add-paths` so only paths the user gave Ferry reach the engine: the paths named,
 * and every file and folder the walk reaches through them, judged on its real path (a symlink
 * inside an allowed folder must not lead outside it).
 */
function guardPaths(handlers: Handlers, engine: Engine, policy: PathPolicy): Handlers {
  return {
    ...handlers,
    'jobs:add-paths': async (req) => {
      await policy.assertAllowed(req.paths);
      return engine.addPaths(req.paths, req.destination, { gate: await policy.gate() });
    },
  };
}
