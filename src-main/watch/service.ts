import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { appError, FerryError } from '../../src-shared/errors.js';
import { watchFolderSchema, type RequestOf, type WatchFolder, type WatchFolderView } from '../../src-shared/ipc/channels.js';
import type { Logger } from '../engine/ports.js';
import type { Engine } from '../engine/types.js';
import { checkWatchableFolder, typedFolderPath } from './folder-check.js';
import { startFolder, type FolderRuntime } from './folder-runtime.js';
import { createFoldersStore, type FoldersStore } from './folders-store.js';
import { relativeInside } from './ignore.js';
import { createIntake, type Intake } from './intake.js';
import { openLedger, type Ledger } from './ledger.js';
import type { WatchTime } from './stability.js';

export type WatchAddInput = RequestOf<'watch:add'>;
export type WatchUpdateInput = Omit<RequestOf<'watch:update'>, 'id'>;

export type WatchServiceOptions = {
  readonly engine: Engine;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Quiet time before a file counts as written (ms, default 2000). */
  readonly stabilityMs?: number;
  /** The clock the stability window runs on (default: real time; tests move their own). */
  readonly stabilityTime?: WatchTime;
  /** Files per engine call (default 200). */
  readonly batchSize?: number;
  /**
   * Checks user-named paths (folder, move target) against the host's allowed roots. Without it
   * (browser mode: the page behind the token is the user) a folder the user adds becomes the
   * allowed root of its own watch; the watcher never follows a file out of it.
   */
  readonly assertAllowed?: (paths: string[]) => Promise<void>;
};

/** Watch folders as the hosts and the UI see them. */
export type WatchService = {
  /** Loads the saved folders, opens the ledger and starts every enabled folder. */
  start(): Promise<void>;
  list(): WatchFolderView[];
  add(input: WatchAddInput): Promise<WatchFolderView>;
  update(id: string, patch: WatchUpdateInput): Promise<WatchFolderView>;
  remove(id: string): Promise<void>;
  setEnabled(id: string, enabled: boolean): Promise<WatchFolderView>;
  /** Resolves once every enabled folder is ready and nothing is settling or in flight. */
  whenIdle(): Promise<void>;
  /** The ledger, open between start() and stop(). */
  ledger(): Ledger;
  /** Stops watching and closes the ledger; start() may be called again. */
  stop(): Promise<void>;
};

const DEFAULTS = {
  destination: 'local',
  remotePathTemplate: '{folder}/{path}',
  include: [],
  exclude: [],
  recursive: true,
  afterUpload: { kind: 'keep' },
} as const;

const notFound = (id: string) => new FerryError(appError('not_found', `No watched folder with id ${id}.`, { retryable: false }));

/** Builds the watch-folder service (not started). */
export function createWatchService(opts: WatchServiceOptions): WatchService {
  const { engine, logger } = opts;
  const store: FoldersStore = createFoldersStore(opts.dataDir, logger);
  const stabilityMs = opts.stabilityMs ?? 2000;
  let folders: WatchFolder[] = [];
  const runtimes = new Map<string, FolderRuntime>();
  let ledger: Ledger | null = null;
  let intake: Intake | null = null;
  let started: Promise<void> | null = null;

  async function run(folder: WatchFolder): Promise<void> {
    if (!folder.enabled || !ledger || !intake) return;
    const rt = await startFolder(folder, { ledger, intake, logger, stabilityMs, ...(opts.stabilityTime ? { time: opts.stabilityTime } : {}) });
    runtimes.set(folder.id, rt);
  }

  async function halt(id: string): Promise<void> {
    const rt = runtimes.get(id);
    runtimes.delete(id);
    await rt?.stop();
  }

  function view(folder: WatchFolder): WatchFolderView {
    const rt = runtimes.get(folder.id);
    return {
      ...folder,
      watching: rt?.watching ?? false,
      pending: (rt?.checking ?? 0) + (intake?.pending(folder.id) ?? 0),
      uploaded: ledger?.count(folder.id) ?? 0,
      errors: rt ? [...rt.errors] : [],
    };
  }

  function find(id: string): WatchFolder {
    const folder = folders.find((f) => f.id === id);
    if (!folder) throw notFound(id);
    return folder;
  }

  /** Folder must exist as a readable folder, be allowed, and not overlap another (nested roots would upload twice). */
  async function checkFolder(typed: WatchFolder): Promise<WatchFolder> {
    const after = typed.afterUpload;
    const folder: WatchFolder = {
      ...typed,
      path: typedFolderPath(typed.path),
      afterUpload: after.kind === 'move' ? { kind: 'move', to: typedFolderPath(after.to, 'folder to move uploaded files to') } : after,
    };
    const paths = folder.afterUpload.kind === 'move' ? [folder.path, folder.afterUpload.to] : [folder.path];
    await opts.assertAllowed?.(paths);
    const real = await checkWatchableFolder(folder.path);
    for (const other of folders) {
      if (other.id === folder.id) continue;
      const otherReal = await realpath(other.path).catch(() => other.path);
      if (otherReal === real || relativeInside(otherReal, real) !== null || relativeInside(real, otherReal) !== null) {
        throw new FerryError(appError('conflict', `${folder.path} overlaps the watched folder ${other.path}.`, { retryable: false }));
      }
    }
    return watchFolderSchema.parse(folder);
  }

  const service: WatchService = {
    start() {
      return (started ??= (async () => {
        ledger = openLedger(opts.dataDir, logger);
        const l = ledger;
        intake = createIntake({
          engine,
          ledger: l,
          logger,
          ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
          onUploaded: () => {},
          onProblem: (folderId, p, message) => runtimes.get(folderId)?.problem(p, message),
          onSettled: (req) => runtimes.get(req.folder.id)?.settled(req.facts.path),
        });
        folders = await store.load();
        for (const folder of folders) await run(folder);
      })());
    },
    list: () => folders.map(view),
    async add(input) {
      await service.start();
      const folder = await checkFolder({ ...DEFAULTS, ...input, id: randomUUID(), enabled: input.enabled ?? true } as WatchFolder);
      folders = [...folders, folder];
      await store.save(folders);
      await run(folder);
      return view(folder);
    },
    async update(id, patch) {
      const current = find(id);
      const next = await checkFolder({ ...current, ...patch } as WatchFolder);
      await halt(id);
      folders = folders.map((f) => (f.id === id ? next : f));
      await store.save(folders);
      await run(next);
      return view(next);
    },
    async remove(id) {
      find(id);
      await halt(id);
      folders = folders.filter((f) => f.id !== id);
      await store.save(folders);
      ledger?.forgetFolder(id);
    },
    async setEnabled(id, enabled) {
      const folder = { ...find(id), enabled };
      await halt(id);
      folders = folders.map((f) => (f.id === id ? folder : f));
      await store.save(folders);
      await run(folder);
      return view(folder);
    },
    whenIdle() {
      const idle = () =>
        folders.every((f) => {
          if (!f.enabled) return true;
          const rt = runtimes.get(f.id);
          return rt !== undefined && (rt.ready || !rt.watching) && rt.checking === 0 && (intake?.pending(f.id) ?? 0) === 0;
        });
      return new Promise((resolve) => {
        const poll = () => (idle() ? resolve() : setTimeout(poll, 50).unref());
        poll();
      });
    },
    ledger() {
      if (!ledger) throw new FerryError(appError('internal', 'The watch service is not started.', { retryable: false }));
      return ledger;
    },
    async stop() {
      if (!started) return;
      await started.catch(() => undefined);
      for (const id of [...runtimes.keys()]) await halt(id);
      intake?.close();
      ledger?.close();
      intake = null;
      ledger = null;
      started = null;
    },
  };
  return service;
}
