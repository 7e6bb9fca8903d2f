import { appError, fail, type AppError, type Result } from '../../src-shared/errors.js';

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
}

/** Reconnect delays grow from 250 ms to 5 s so a restarting host is not hammered. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** A call made while disconnected waits this long for the socket before failing as `network`. */
const CALL_WAIT_MS = 15_000;

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> | null };

/**
 * The web host transport: one WebSocket carrying `{t:'call'}` / `{t:'reply'|'event'|'error'}`
 * envelopes (src-shared/ipc/wire.ts), reconnecting with backoff. Calls never throw: a lost
 * connection resolves them with a retryable `network` error.
 */
export function createWsTransport(url: string): Transport {
  let socket: WebSocket | null = null;
  let connected = false;
  let attempt = 0;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  /** Calls made before the socket opened; sent in order once it does. */
  const waiting: { id: number; text: string }[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(connected: boolean) => void>();

  function setConnected(value: boolean): void {
    if (connected === value) return;
    connected = value;
    for (const listener of connectionListeners) listener(value);
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

  function connect(): void {
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      setConnected(true);
      for (const call of waiting.splice(0)) {
        const entry = pending.get(call.id);
        if (entry?.timer) clearTimeout(entry.timer);
        if (entry) entry.timer = null;
        ws.send(call.text);
      }
    });
    ws.addEventListener('message', (ev) => onMessage(ev.data));
    ws.addEventListener('close', () => {
      socket = null;
      setConnected(false);
      // Replies to calls in flight are lost with the socket; tell their callers.
      const lost: AppError = appError('network', 'Lost the connection to Ferry.');
      for (const id of [...pending.keys()]) {
        if (!waiting.some((w) => w.id === id)) settle(id, fail(lost));
      }
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
      attempt += 1;
      setTimeout(connect, delay);
    });
    // 'error' is always followed by 'close', which does the work.
  }

  connect();

  return {
    invoke(channel, payload) {
      const id = nextId++;
      const text = JSON.stringify({ t: 'call', id, channel, payload });
      return new Promise<Result<unknown>>((resolve) => {
        const entry: Pending = { resolve, timer: null };
        pending.set(id, entry);
        if (connected && socket && socket.readyState === WebSocket.OPEN) {
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
      listener(connected);
      return () => connectionListeners.delete(listener);
    },
  };
}
