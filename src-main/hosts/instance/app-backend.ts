import { appError, FerryError } from '../../../src-shared/errors.js';
import type { FerryApp } from '../compose.js';
import { recoverIntents } from './intents.js';
import type { InstanceHandlers } from './messages.js';
import type { InstanceBackend } from './server.js';

export type AppBackendOptions = {
  /** The address a second launch prints: the web host's URL (with its token), or null (Electron: the window). */
  readonly url: () => string | null;
  /** The port this owner's web host listens on, to compare with a second launch's `--port`. */
  readonly port?: () => number | null;
  /** Brings the window forward (Electron) when a second launch hands over. */
  readonly show?: () => void;
  /** A headless `ferry` owner hands its folder over to the app; an app refuses (null). */
  readonly handover?: () => Promise<void>;
};

/** The owner's socket backend built from its app: the trusted contract plus the `instance:*` channels. */
export function appBackend(app: FerryApp, opts: AppBackendOptions): InstanceBackend {
  const instance: InstanceHandlers = {
    'instance:open': async (req) => {
      // Read as the user gave them: a second launch is the user at a command line.
      const added = req.files.length > 0 ? await app.engine.addPaths(req.files) : { jobIds: [], skipped: [] };
      opts.show?.();
      const port = opts.port?.() ?? null;
      const note =
        req.port !== undefined && req.port !== 0 && port !== null && req.port !== port
          ? `Ferry keeps port ${port} while it runs (open pages stay connected); --port ${req.port} applies when it starts next.`
          : null;
      return { url: opts.url(), ...added, note };
    },
    'instance:handover': async () => {
      if (!opts.handover) throw new FerryError(appError('unsupported', 'The running Ferry app keeps its uploads; it does not hand them over.', { retryable: false }));
      await opts.handover();
      return null;
    },
    'instance:recover': (req) => recoverFor(app, req.intent),
  };
  return { handlers: app.trustedHandlers, instance, on: (name, listener) => app.on(name, listener) };
}

function recoverFor(app: FerryApp, only?: string): ReturnType<typeof recoverIntents> {
  return recoverIntents({
    dataDir: app.dataDir,
    ...(only !== undefined ? { only } : {}),
    jobs: () => app.jobRecords(),
    addPaths: (paths, destination) => app.engine.addPaths(paths, destination),
    relativePathOf: (id) => app.engine.get(id)?.relativePath ?? null,
    logger: app.logger,
  });
}

/**
 * At the app's start: queues what a killed `ferry upload` recorded but never journaled, so
 * opening Ferry finishes it like it finishes journaled jobs (`ferry resume` does the same on
 * demand). A path that can no longer be queued is logged with its reason.
 */
export async function recoverOnStart(app: FerryApp): Promise<void> {
  const recovered = await recoverFor(app);
  for (const f of recovered.failed) app.logger.warn('intents: a file of an interrupted ferry upload could not be queued', f);
}
