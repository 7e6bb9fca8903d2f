import { chmod, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { appError } from '../../../src-shared/errors.js';
import { events, type EventName, type EventPayload } from '../../../src-shared/ipc/channels.js';
import { dispatch, dispatchIn, type Handlers } from '../../../src-shared/ipc/dispatch.js';
import { wireCallSchema } from '../../../src-shared/ipc/wire.js';
import type { Logger } from '../../engine/ports.js';
import { tokenMatches } from '../web/token.js';
import { encodeLine, helloSchema, instanceChannels, isInstanceChannel, lineSplitter, MAX_LINE_BYTES, type InstanceHandlers, type OwnerKind, type ServerMessage } from './messages.js';

/** What the owner serves once its app is up. Calls that arrive earlier wait for it. */
export type InstanceBackend = {
  /** The contract without the renderer's path guard: a socket client is the user. */
  readonly handlers: Handlers;
  readonly instance: InstanceHandlers;
  /** The app's push events (engine and services), forwarded to every client. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export type InstanceServer = {
  /** Starts answering calls with this backend. */
  attach(backend: InstanceBackend): void;
  /** Connected clients that said hello. */
  clients(): number;
  /** Called whenever `clients()` changes. */
  onClientsChanged(listener: () => void): void;
  /** Stops taking new connections; resolves once the connected clients are gone too. */
  stopAccepting(): Promise<void>;
  /**
   * Stops accepting, removes the socket file (while it is still ours) and ends every connection
   * once the calls it is waiting on are answered, so a handover's own answer still arrives.
   */
  close(): Promise<void>;
};

/** A client that stops reading is cut off once this much is waiting for it (not buffered without end). */
const MAX_PENDING_WRITE_BYTES = 16 * MAX_LINE_BYTES;
/** A connection must say hello this soon. */
const HELLO_TIMEOUT_MS = 10_000;

/**
 * Listens on the instance socket. Only the same OS user can reach it (a 0600 socket in a 0700
 * folder, see paths.ts; a per-user pipe on Windows), and every connection must first present
 * the secret from the lock file. Messages are size-capped lines, schema-checked, and every
 * failure is answered as data; nothing a client sends can crash the owner.
 */
export async function startInstanceServer(opts: {
  socket: string;
  secret: string;
  kind: OwnerKind;
  version: string;
  logger: Logger;
}): Promise<InstanceServer> {
  let backend: InstanceBackend | null = null;
  let attached: () => void = () => {};
  const ready = new Promise<void>((resolve) => (attached = resolve));
  const sockets = new Set<net.Socket>();
  const greeted = new Set<net.Socket>();
  /** Calls being answered per connection: closing waits for their replies (a handover's answer). */
  const inFlight = new Map<net.Socket, number>();
  let closing = false;
  const endWhenAnswered = (socket: net.Socket): void => {
    if ((inFlight.get(socket) ?? 0) > 0) return;
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  const clientListeners: (() => void)[] = [];
  const changed = (): void => clientListeners.forEach((l) => l());
  const offEvents: (() => void)[] = [];

  const send = (socket: net.Socket, message: ServerMessage): void => {
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
      opts.logger.warn('instance socket: client not reading, disconnected');
      socket.destroy();
      return;
    }
    socket.write(encodeLine(message));
  };

  const handleLine = async (socket: net.Socket, line: string): Promise<void> => {
    if (closing) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return send(socket, { t: 'error', error: appError('bad_request', 'Message is not valid JSON.') });
    }
    if (!greeted.has(socket)) {
      const hello = helloSchema.safeParse(json);
      if (!hello.success || !tokenMatches(opts.secret, hello.data.secret)) {
        opts.logger.warn('instance socket: refused a client without the secret');
        send(socket, { t: 'error', error: appError('unauthorized', 'Say hello with the secret from the lock file first.', { retryable: false }) });
        socket.end();
        return;
      }
      greeted.add(socket);
      changed();
      return send(socket, { t: 'welcome', pid: process.pid, kind: opts.kind, version: opts.version });
    }
    const call = wireCallSchema.safeParse(json);
    if (!call.success) return send(socket, { t: 'error', error: appError('bad_request', 'Message is not a valid call envelope.') });
    await ready;
    const b = backend;
    if (b === null) return;
    const { id, channel, payload } = call.data;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    try {
      const result = isInstanceChannel(channel) ? await dispatchIn(instanceChannels, b.instance, channel, payload) : await dispatch(b.handlers, channel, payload);
      send(socket, { t: 'reply', id, result });
    } finally {
      inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1);
      if (closing) endWhenAnswered(socket);
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const helloTimer = setTimeout(() => {
      if (!greeted.has(socket)) socket.destroy();
    }, HELLO_TIMEOUT_MS);
    helloTimer.unref();
    const feed = lineSplitter(
      MAX_LINE_BYTES,
      (line) => {
        handleLine(socket, line).catch((thrown: unknown) => {
          opts.logger.error('instance socket: handler failed', { error: String(thrown) });
          send(socket, { t: 'error', error: appError('internal', 'The call failed.') });
        });
      },
      () => send(socket, { t: 'error', error: appError('payload_too_large', `Message larger than ${MAX_LINE_BYTES} bytes.`) }),
    );
    socket.on('data', feed);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(helloTimer);
      sockets.delete(socket);
      inFlight.delete(socket);
      if (greeted.delete(socket)) changed();
    });
  });

  // We hold the lock, so a socket file left here is a dead owner's: remove it before binding.
  if (process.platform !== 'win32') await rm(opts.socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => opts.logger.error('instance socket error', { error: err.message }));
  // The socket file's identity: at close we remove it only while it is still ours, never the
  // file of an owner that took over after us.
  let ino: number | null = null;
  if (process.platform !== 'win32') {
    await chmod(opts.socket, 0o600);
    ino = (await stat(opts.socket)).ino;
  }

  let stopped: Promise<void> | null = null;
  const stopAccepting = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
    }));

  return {
    attach(b) {
      backend = b;
      for (const name of Object.keys(events) as EventName[]) {
        offEvents.push(b.on(name, (payload) => {
          for (const socket of greeted) send(socket, { t: 'event', name, payload });
        }));
      }
      attached();
    },
    clients: () => greeted.size,
    onClientsChanged: (listener) => void clientListeners.push(listener),
    stopAccepting,
    async close() {
      closing = true;
      for (const off of offEvents.splice(0)) off();
      void stopAccepting();
      // Connections end once their calls are answered; new lines on them are not taken.
      for (const socket of sockets) endWhenAnswered(socket);
      if (ino !== null && (await stat(opts.socket).then((s) => s.ino, () => null)) === ino) await rm(opts.socket, { force: true });
      ino = null;
    },
  };
}
