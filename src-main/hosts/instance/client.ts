import net from 'node:net';
import { appError, FerryError, fail, type Result } from '../../../src-shared/errors.js';
import { encodeLine, lineSplitter, MAX_LINE_BYTES, welcomeSchema, type Welcome } from './messages.js';

/** A connection to the running Ferry's instance socket. */
export type InstanceClient = {
  /** Who answered: the owner's pid and kind (`app` or a headless `cli`). */
  readonly welcome: Welcome;
  /** One call of the contract (or an `instance:*` channel); failures come back as data. */
  call(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Push events (`jobs:updated`…); returns an unsubscribe function. */
  on(name: string, listener: (payload: unknown) => void): () => void;
  /** Resolves when the connection ends, for whatever reason. */
  readonly closed: Promise<void>;
  close(): void;
};

const lost = (): Result<never> => fail(appError('network', 'The connection to Ferry was lost.', { retryable: true }));

/**
 * Connects and says hello with the lock file's secret. Rejects with the socket's own error
 * (`code` ENOENT / ECONNREFUSED: nobody listens), FerryError(timeout) when the owner does not
 * answer within `timeoutMs`, or FerryError(unauthorized) when it refuses the secret.
 */
export function connectInstance(socketPath: string, secret: string, timeoutMs = 3000): Promise<InstanceClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const pending = new Map<number, (r: Result<unknown>) => void>();
    const listeners = new Map<string, Set<(payload: unknown) => void>>();
    let nextId = 1;
    let welcome: Welcome | null = null;
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((r) => (markClosed = r));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new FerryError(appError('timeout', 'Ferry did not answer on its socket.', { retryable: true })));
    }, timeoutMs);

    const client: Omit<InstanceClient, 'welcome'> = {
      call(channel, payload) {
        if (socket.destroyed) return Promise.resolve(lost());
        const id = nextId++;
        return new Promise((done) => {
          pending.set(id, done);
          socket.write(encodeLine({ t: 'call', id, channel, payload }));
        });
      },
      on(name, listener) {
        const set = listeners.get(name) ?? new Set();
        listeners.set(name, set);
        set.add(listener);
        return () => void set.delete(listener);
      },
      closed,
      close: () => void socket.end(),
    };

    const onMessage = (message: Record<string, unknown>): void => {
      if (welcome === null) {
        const parsed = welcomeSchema.safeParse(message);
        if (parsed.success) {
          welcome = parsed.data;
          clearTimeout(timer);
          resolve({ ...client, welcome });
          return;
        }
        const error = (message as { error?: { message?: unknown } }).error;
        clearTimeout(timer);
        socket.destroy();
        reject(new FerryError(appError('unauthorized', typeof error?.message === 'string' ? error.message : 'Ferry refused the connection.', { retryable: false })));
        return;
      }
      if (message.t === 'reply' && typeof message.id === 'number') {
        const done = pending.get(message.id);
        pending.delete(message.id);
        done?.(message.result as Result<unknown>);
      } else if (message.t === 'event' && typeof message.name === 'string') {
        for (const listener of listeners.get(message.name) ?? []) listener(message.payload);
      }
    };

    const feed = lineSplitter(
      // The owner's replies (a 10,000-job list) may be larger than what it accepts from us.
      64 * MAX_LINE_BYTES,
      (line) => {
        try {
          onMessage(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // A line we cannot read is dropped; its call times out with the connection.
        }
      },
      () => {},
    );
    socket.on('connect', () => socket.write(encodeLine({ t: 'hello', v: 1, secret })));
    socket.on('data', feed);
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (welcome === null) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      for (const done of pending.values()) done(lost());
      pending.clear();
      markClosed();
      if (welcome === null) reject(new FerryError(appError('network', 'Ferry closed the connection.', { retryable: true })));
    });
  });
}
