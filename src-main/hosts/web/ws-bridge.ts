import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { appError, type AppError } from '../../../src-shared/errors.js';
import { dispatch, type Handlers } from '../../../src-shared/ipc/dispatch.js';
import { MAX_WS_MESSAGE_BYTES, wireCallSchema, type WireOut } from '../../../src-shared/ipc/wire.js';
import type { Logger } from '../../engine/ports.js';
import { tokenMatches } from './token.js';

/** The socket path the renderer connects to (`/ws?token=...`). */
export const WS_PATH = '/ws';
/**
 * Frames above MAX_WS_MESSAGE_BYTES get a typed error and the socket stays usable; only frames
 * above this hard cap make `ws` close the connection (1009), so a client cannot make us buffer
 * arbitrarily much.
 */
const HARD_FRAME_LIMIT = 8 * MAX_WS_MESSAGE_BYTES;

export type WsBridge = {
  /** Sends a push event to every connected socket. */
  broadcast(name: string, payload: unknown): void;
  close(): Promise<void>;
};

/**
 * Carries the contract over a WebSocket: the upgrade is refused with 421 unless the Host header
 * names this host (as the HTTP routes require), with 401 unless the token matches, and with 403
 * if an Origin header names anything but this host. Each message is
 * checked for size, type, JSON and envelope before `dispatch()` validates the payload; any
 * malformed message gets `{t:'error'}` and the socket stays open.
 */
export function attachWsBridge(opts: {
  server: Server;
  token: string;
  origin: () => string;
  /** The Host check the HTTP routes use. */
  isOwnHost: (host: string | undefined) => boolean;
  handlers: Handlers;
  logger: Logger;
}): WsBridge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!opts.isOwnHost(req.headers.host)) {
      opts.logger.warn('websocket refused: foreign host', { host: req.headers.host });
      return refuse(socket, 421, 'Misdirected Request');
    }
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(opts.token, url.searchParams.get('token'))) {
      opts.logger.warn('websocket refused: bad token');
      return refuse(socket, 401, 'Unauthorized');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== opts.origin()) {
      opts.logger.warn('websocket refused: foreign origin', { origin });
      return refuse(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  opts.server.on('upgrade', onUpgrade);

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', (err) => opts.logger.warn('websocket error', { error: err.message }));
    ws.on('message', (data, isBinary) => {
      handleMessage(ws, data, isBinary).catch((thrown: unknown) =>
        opts.logger.error('websocket handler failed', { error: String(thrown) }),
      );
    });
  });

  const handleMessage = async (ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> => {
    if (isBinary) return sendError(ws, 'Binary messages are not accepted.');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (bytes.length > MAX_WS_MESSAGE_BYTES) return sendError(ws, `Message larger than ${MAX_WS_MESSAGE_BYTES} bytes.`);
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(bytes.toString('utf8'));
    } catch {
      return sendError(ws, 'Message is not valid JSON.');
    }
    const call = wireCallSchema.safeParse(parsedJson);
    if (!call.success) return sendError(ws, 'Message is not a valid call envelope.');
    const result = await dispatch(opts.handlers, call.data.channel, call.data.payload);
    send(ws, { t: 'reply', id: call.data.id, result: result as Extract<WireOut, { t: 'reply' }>['result'] });
  };

  const sendError = (ws: WebSocket, message: string): void => send(ws, { t: 'error', error: appError('bad_request', message) as AppError });

  return {
    broadcast(name, payload) {
      const text = JSON.stringify({ t: 'event', name, payload } satisfies WireOut);
      for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        opts.server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function send(ws: WebSocket, message: WireOut): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}
