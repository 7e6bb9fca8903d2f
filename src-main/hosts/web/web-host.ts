import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FILE_HEADERS, FILE_STREAM_PATH, SESSION_PATH } from '../../../src-shared/ipc/wire.js';
import { events, type EventName } from '../../../src-shared/ipc/channels.js';
import type { FerryApp } from '../compose.js';
import { buildCsp, SECURITY_HEADERS } from '../csp.js';
import { createFileIntake } from './file-intake.js';
import { createStaticHandler } from './static-files.js';
import { newToken, tokenMatches } from './token.js';
import { attachWsBridge } from './ws-bridge.js';

/** A running browser-mode host. `url` carries the token the renderer needs. */
export type WebHost = {
  /** `http://127.0.0.1:PORT/?token=TOKEN`: the address to open in a browser. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
};

const LOOPBACK = '127.0.0.1';

/**
 * Serves the built renderer on 127.0.0.1 and carries the contract over a token-guarded
 * WebSocket, with dropped files streamed in by `POST /files`. The Host header must name
 * loopback, so a DNS-rebinding page cannot talk to us under another name.
 */
export async function startWebHost(opts: { app: FerryApp; port?: number; staticDir: string; token?: string }): Promise<WebHost> {
  const { app } = opts;
  const token = opts.token ?? newToken();
  const serveStatic = createStaticHandler(opts.staticDir);
  const intake = createFileIntake({ token, stagingRoot: join(app.dataDir, 'staging'), engine: app.engine, logger: app.logger });
  let port = 0;
  let csp = buildCsp();
  /** Only our own name: a DNS-rebinding page reaches us under a foreign Host and is refused. */
  const isOwnHost = (host: string | undefined): boolean => host === `${LOOPBACK}:${port}`;
  const checkSession = (req: IncomingMessage, res: ServerResponse): void => {
    const valid = req.method === 'GET' && tokenMatches(token, req.headers[FILE_HEADERS.token]);
    // no-store: a cached 204 must not hide a token that stopped working.
    res.writeHead(valid ? 204 : 401, { 'Cache-Control': 'no-store' }).end();
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Content-Security-Policy', csp);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.headers.host === `localhost:${port}`) {
      // The socket only accepts this host's own origin; send `localhost` users to it.
      res.writeHead(308, { Location: `http://${LOOPBACK}:${port}${req.url ?? '/'}` }).end();
      return;
    }
    if (!isOwnHost(req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === FILE_STREAM_PATH) return intake.handle(req, res);
    if (path === SESSION_PATH) return checkSession(req, res);
    return serveStatic(req, res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((thrown: unknown) => {
      app.logger.error('web host request failed', { error: String(thrown) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Internal error');
    });
  });
  // No 'clientError' listener: Node's own answers an over-long request line with 431 and a
  // malformed request with 400 (never in the middle of a response), then closes the socket.

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      // A taken port: the caller may try another, so leave nothing subscribed behind.
      intake.close();
      reject(err);
    });
    server.listen(opts.port ?? 0, LOOPBACK, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  csp = buildCsp({ port });
  const origin = `http://${LOOPBACK}:${port}`;
  // The embedded local cloud answers browser calls from allowed origins only: this window's.
  app.localCloud.allowOrigin(origin);

  const bridge = attachWsBridge({ server, token, origin: () => origin, isOwnHost, handlers: app.handlers, logger: app.logger });
  // Every push event of the contract (engine and app services alike) reaches every socket.
  const unsubscribers = (Object.keys(events) as EventName[]).map((name) => app.on(name, (payload) => bridge.broadcast(name, payload)));
  app.logger.info('web host listening', { origin });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      (closing ??= (async () => {
        for (const off of unsubscribers) off();
        intake.close();
        await bridge.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}
