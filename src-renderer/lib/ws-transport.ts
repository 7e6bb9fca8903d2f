import { appError, fail, type AppError, type Result } from '../../src-shared/errors.js';
import type { ConnectionStatus } from './connection-status.js';

/**
 * What the typed API needs from a host connection. The Electron preload bridge and the web
 * host's WebSocket both fit it, so the rest of the renderer never knows which host it has.
 */
export interface Transport {
  invoke(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Returns an unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Tells whether the host is reachable now and on every change; returns an unsubscribe function. */
  onConnection(listener: (connected: boolean) => void): () => void;
  /** The connection in detail (for the status banner), now and on every change. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Resolves true once connected, or false if that has not happened within `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<boolean>;
}

/** What the host says about our token when the socket will not open (see SESSION_PATH). */
export type TokenVerdict = 'valid' | 'invalid' | 'unreachable';

/** What the transport does with one socket; the browser's WebSocket and the `ws` package both fit. */
export type OpenSocket = (
  url: string,
  on: { open(): void; message(data: unknown): void; close(): void },
) => { send(text: string): void; isOpen(): boolean };

export type WsTransportOptions = {
  /** Asks the host over plain HTTP whether it accepts our token; a socket refusal has no status. */
  checkToken: () => Promise<TokenVerdict>;
  openSocket: OpenSocket;
  now?: () => number;
};

/** Reconnect delays grow from 250 ms to 5 s so a restarting host is not hammered. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** A call made while disconnected waits this long for the socket before failing as `network`. */
const CALL_WAIT_MS = 15_000;

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> | null };

/**
 * The web host transport: one WebSocket carrying `{t:'call'}` / `{t:'reply'|'event'|'error'}`
 * envelopes (src-shared/ipc/wire.ts), reconnecting with backoff. Calls never throw: a lost
 * connection resolves them with a retryable `network` error. When the socket will not open, the
 * host is asked about the token so the page can say whether Ferry is down or no longer takes
 * this link, instead of "connecting" forever.
 */
export function createWsTransport(url: string, opts: WsTransportOptions): Transport {
  const now = opts.now ?? Date.now;
  let socket: ReturnType<OpenSocket> | null = null;
  let status: ConnectionStatus = { state: 'connecting' };
  let everConnected = false;
  let attempt = 0;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  /** Calls made before the socket opened; sent in order once it does. */
  const waiting: { id: number; text: string }[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  function setStatus(next: ConnectionStatus): void {
    const wasConnected = status.state === 'connected';
    status = next;
    for (const listener of statusListeners) listener(next);
    const isConnected = next.state === 'connected';
    if (wasConnected !== isConnected) for (const listener of connectionListeners) listener(isConnected);
  }

  function settle(id: number, result: Result<unknown>): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.resolve(result);
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return; // The host only sends JSON; anything else is noise we ignore.
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { t?: unknown; id?: unknown; result?: unknown; name?: unknown; payload?: unknown };
    if (m.t === 'reply' && typeof m.id === 'number') {
      settle(m.id, m.result as Result<unknown>);
    } else if (m.t === 'event' && typeof m.name === 'string') {
      for (const listener of eventListeners.get(m.name) ?? []) listener(m.payload);
    }
    // `t:'error'` answers a message the host could not parse; our envelopes are well formed, so
    // there is no call to settle. Pending calls still time out or fail on close.
  }

  async function afterClose(opened: boolean): Promise<void> {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
    attempt += 1;
    // A socket that opened and then closed means the host went away: no need to ask yet.
    const verdict: TokenVerdict = opened ? 'unreachable' : await opts.checkToken().catch((): TokenVerdict => 'unreachable');
    if (verdict === 'invalid') setStatus({ state: 'refused' });
    else setStatus({ state: 'unreachable', everConnected, attempt, retryAt: now() + delay });
    setTimeout(connect, delay);
  }

  function connect(): void {
    let opened = false;
    const ws = opts.openSocket(url, {
      open() {
        opened = true;
        attempt = 0;
        everConnected = true;
        setStatus({ state: 'connected' });
        for (const call of waiting.splice(0)) {
          const entry = pending.get(call.id);
          if (entry?.timer) clearTimeout(entry.timer);
          if (entry) entry.timer = null;
          ws.send(call.text);
        }
      },
      message: onMessage,
      close() {
        socket = null;
        // Replies to calls in flight are lost with the socket; tell their callers.
        const lost: AppError = appError('network', 'Lost the connection to Ferry.');
        for (const id of [...pending.keys()]) {
          if (!waiting.some((w) => w.id === id)) settle(id, fail(lost));
        }
        void afterClose(opened);
      },
    });
    socket = ws;
  }

  connect();

  return {
    invoke(channel, payload) {
      const id = nextId++;
      const text = JSON.stringify({ t: 'call', id, channel, payload });
      return new Promise<Result<unknown>>((resolve) => {
        const entry: Pending = { resolve, timer: null };
        pending.set(id, entry);
        if (status.state === 'connected' && socket?.isOpen()) {
          socket.send(text);
          return;
        }
        waiting.push({ id, text });
        entry.timer = setTimeout(() => {
          const at = waiting.findIndex((w) => w.id === id);
          if (at >= 0) waiting.splice(at, 1);
          settle(id, fail(appError('network', 'Ferry is not reachable right now.')));
        }, CALL_WAIT_MS);
      });
    },
    on(event, listener) {
      let set = eventListeners.get(event);
      if (!set) {
        set = new Set();
        eventListeners.set(event, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(status.state === 'connected');
      return () => connectionListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
    whenConnected: (timeoutMs) => whenConnected(() => status.state === 'connected', connectionListeners, timeoutMs),
  };
}

/** Shared by every transport: waits for the first `true` from the connection listeners. */
export function whenConnected(isConnected: () => boolean, listeners: Set<(connected: boolean) => void>, timeoutMs: number): Promise<boolean> {
  if (isConnected()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      listeners.delete(onChange);
      resolve(value);
    };
    const onChange = (connected: boolean): void => {
      if (connected) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    listeners.add(onChange);
  });
}
