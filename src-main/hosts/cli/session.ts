import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../../src-shared/errors.js';
import { events, type Channel, type EventName, type EventPayload, type RequestOf, type ResponseOf } from '../../../src-shared/ipc/channels.js';
import { dispatch } from '../../../src-shared/ipc/dispatch.js';
import type { Result } from '../../../src-shared/errors.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { Provider } from '../../engine/ports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../engine/retry.js';
import type { FerryApp } from '../compose.js';
import { DEFAULT_VERSION } from '../version.js';
import { appBackend } from '../instance/app-backend.js';
import { claimInstance, type OwnerClaim } from '../instance/claim.js';
import type { InstanceClient } from '../instance/client.js';
import { instanceChannels } from '../instance/messages.js';
import type { Recovery } from '../instance/intents.js';
import { PORT_FILE } from '../local-cloud-port.js';
import type { CliCommon } from './args.js';
import { cliProviders } from './destinations.js';

/**
 * How a command reaches an engine: the running Ferry over its socket (client), or, when none
 * runs, an app of its own that owns the data folder until the command ends (owner). Commands
 * are written once against this; both speak the same contract.
 */
export type Session = {
  readonly mode: 'owner' | 'client';
  call<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Re-queues what killed `ferry upload` runs asked for but never journaled (intents.ts); `intent`: only that one. */
  recover(intent?: string): Promise<Recovery>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Resolves when this session stops working under us: the socket closed, or we handed the folder to the app. */
  readonly lost: Promise<void>;
  /** Runs the intake (adding paths); a handover to the app waits until it is over. */
  intake<T>(fn: () => Promise<T>): Promise<T>;
  /** Owner: a plain note about local links served by this process, when there is one to say. */
  localNote(): Promise<string | null>;
  /** Owner: resolves once no other `ferry` is connected (they follow jobs in our engine). */
  drain(): Promise<void>;
  close(): Promise<void>;
};

export type AttachOptions = {
  readonly dataDir: string;
  readonly common: CliCommon;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `upload --to`; null for `resume` (every destination the environment configures). */
  readonly to: DestinationKind | null;
  readonly intelligent: boolean;
  readonly note: (message: string) => void;
  /** After a handover: let the app take the folder first. */
  readonly preferOtherMs?: number;
};

/** Connects to the running Ferry, or owns the data folder with an app of our own. */
export async function attach(o: AttachOptions): Promise<Session> {
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const claim = await claimInstance({
    dataDir: o.dataDir,
    kind: 'cli',
    version: DEFAULT_VERSION,
    logger: quiet,
    onWait: o.note,
    ...(o.preferOtherMs !== undefined ? { preferOtherMs: o.preferOtherMs } : {}),
  });
  if (claim.role === 'client') {
    const ignored = [o.common.localCloudUrl ? '--local-cloud' : null, o.intelligent ? '--intelligent' : null, o.common.retries !== null ? '--retries' : null].filter(Boolean);
    if (ignored.length > 0) o.note(`Ferry is running (pid ${claim.client.welcome.pid}) and uploads with its own settings: ${ignored.join(', ')} ignored.`);
    return clientSession(claim.client);
  }
  const retry = o.common.retries !== null ? { ...DEFAULT_RETRY_POLICY, maxRetries: o.common.retries } : undefined;
  let app: FerryApp;
  try {
    // Only an owner needs the engine, SQLite and the local cloud: a client never loads them.
    const { createApp } = await import('../compose.js');
    app = await createApp({
      dataDir: o.dataDir,
      // No renderer: `web` only selects capability flags nobody reads here.
      host: 'web',
      ...(o.common.localCloudUrl ? { localCloudUrl: o.common.localCloudUrl } : {}),
      localCloudPort: 'borrow',
      ...(retry ? { retry } : {}),
      providers: remoteProviders(o, retry),
      defaultDestination: o.to ?? 'local',
      intelligent: o.to === 'local' && o.intelligent,
      // --intelligent against a server that does not grant it says so instead of going quiet.
      onUploadEvent: (event) => {
        if (event.type === 'fii-not-granted') o.note(event.message);
      },
    });
  } catch (thrown) {
    await claim.release();
    throw thrown;
  }
  return ownerSession(app, claim, o);
}

/** `resume` serves whatever destinations the environment configures; `upload --to X` needs X's keys (a clear error first). */
function remoteProviders(o: AttachOptions, retry: RetryPolicy | undefined) {
  const remote: ReturnType<typeof cliProviders>[] = [];
  for (const dest of o.to === null ? (['filestack', 'imagekit'] as const) : [o.to]) {
    try {
      remote.push(cliProviders(dest, o.intelligent, o.env, retry));
    } catch (thrown) {
      if (o.to !== null) throw thrown;
    }
  }
  return (w: Parameters<ReturnType<typeof cliProviders>>[0]) => Object.assign({}, ...remote.map((f) => f(w))) as Partial<Record<DestinationKind, Provider>>;
}

const valueOf = <T>(result: Result<unknown>): T => {
  if (!result.ok) throw new FerryError(result.error);
  return result.value as T;
};

function clientSession(client: InstanceClient): Session {
  return {
    mode: 'client',
    call: async (channel, payload) => valueOf(await client.call(channel, payload)),
    recover: async (intent) => instanceChannels['instance:recover'].response.parse(valueOf(await client.call('instance:recover', intent ? { intent } : {}))),
    on: (name, listener) =>
      client.on(name, (payload) => {
        // The owner is the same user's Ferry, but a payload is still checked before we act on it.
        const parsed = events[name].safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<typeof name>);
      }),
    lost: client.closed,
    intake: (fn) => fn(),
    localNote: async () => null,
    drain: async () => {},
    close: async () => client.close(),
  };
}

function ownerSession(app: FerryApp, claim: OwnerClaim, o: AttachOptions): Session {
  let markLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  let intake: Promise<unknown> = Promise.resolve();
  const close = async (): Promise<void> => {
    await app.close();
    // Only now: the next owner must never open the journal while our engine still has it.
    await claim.release();
  };
  const backend = appBackend(app, {
    url: () => null,
    // The app asks for the folder: finish adding paths, stop our engine (its jobs stay
    // resumable in the journal), release, and follow the same jobs in the app from now on.
    handover: async () => {
      await intake.catch(() => undefined);
      o.note('The Ferry app started; it takes over these uploads.');
      await close();
      markLost();
    },
  });
  claim.server.attach(backend);
  return {
    mode: 'owner',
    call: async (channel, payload) => valueOf(await dispatch(app.trustedHandlers, channel, payload)),
    recover: (intent) => backend.instance['instance:recover'](intent ? { intent } : {}) as Promise<Recovery>,
    on: (name, listener) => app.on(name, listener),
    lost,
    intake: (fn) => {
      const run = fn();
      intake = run;
      return run;
    },
    async localNote() {
      if (o.common.localCloudUrl) return null;
      const base = app.localCloud.baseUrl;
      const port = new URL(base).port;
      const appPort = (await readFile(path.join(app.dataDir, 'localcloud', PORT_FILE), 'utf8').catch(() => '')).trim();
      return appPort === port
        ? `No Ferry app is running: this command serves local links (${base}) only until it exits. Start Ferry to serve them again; they keep this address.`
        : `Ferry's local cloud port ${appPort} is in use: links printed now (${base}) stop working when this command exits.`;
    },
    async drain() {
      while (claim.server.clients() > 0) await new Promise<void>((resolve) => claim.server.onClientsChanged(resolve));
    },
    close,
  };
}
