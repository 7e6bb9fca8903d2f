import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_LOCAL_APIKEY, type CloudContext, type LocalCloudApp, type LocalCloudHooks } from './context.js';
import { filestackRoutes, type FilestackFrontEndOptions } from './filestack/routes.js';
import { imagekitRoutes, type ImageKitFrontEndOptions } from './imagekit/routes.js';
import { createRouter, sendJson, type Route } from './router.js';
import { createOriginPolicy } from './origin-policy.js';
import { createSessionGc, type SessionGcOptions, type SweepResult } from './session-gc.js';
import { createStorage, type Storage } from './storage.js';
import type { PrivateFetchPolicy } from './url-guard.js';

export type { LocalCloudApp, LocalCloudHooks, CloudContext } from './context.js';
export { DEFAULT_LOCAL_APIKEY } from './context.js';

export type LocalCloudOptions = {
  readonly dataDir: string;
  /** 0 or undefined = a free port. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1 (never exposed beyond the machine by default). */
  readonly host?: string;
  /** Known apps; default one app with DEFAULT_LOCAL_APIKEY. */
  readonly apps?: readonly LocalCloudApp[];
  /** Routes mounted before the Filestack front end (e.g. the ImageKit front end). */
  readonly extraRoutes?: readonly Route[];
  readonly hooks?: LocalCloudHooks;
  readonly filestack?: FilestackFrontEndOptions;
  /** ImageKit front end (upload, delivery under `/ik/<id>`, media API); default one account with
   * the DEFAULT_IMAGEKIT_* keys; `false` leaves it out. */
  readonly imagekit?: ImageKitFrontEndOptions | false;
  readonly log?: CloudContext['log'];
  /** Browser origins allowed to call (CORS, `--cors`); default none. The app adds its own window's. */
  readonly corsOrigins?: readonly string[];
  /** Let user-given URLs (store-from-URL, URL uploads) name loopback, private and link-local
   * addresses: `true` all of them, or a list of addresses/CIDRs; default none. */
  readonly allowPrivateFetch?: PrivateFetchPolicy;
  /** Expiry and disk cap of abandoned multipart sessions (24 h, 32 GiB by default). */
  readonly sessions?: SessionGcOptions;
  /** Serve HTTPS with this certificate and key (PEM), e.g. from tls.ts ensureTlsMaterial. */
  readonly tls?: { readonly cert: string; readonly key: string };
};

/** A running local cloud. */
export type LocalCloud = {
  /** `http(s)://127.0.0.1[:PORT]`, no trailing slash; default ports (80, 443) are left out. */
  readonly baseUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly storage: Storage;
  readonly apps: ReadonlyMap<string, LocalCloudApp>;
  readonly context: CloudContext;
  /** Allows one more browser origin (the web host's, known only once it listens). */
  allowOrigin(origin: string): void;
  /** Runs the session GC now (it also runs at start and hourly). */
  sweepSessions(): Promise<SweepResult>;
  /** Stops accepting, ends idle keep-alive sockets, and resolves once the server is closed. */
  close(): Promise<void>;
};

/** Former key → current key of every app (see LocalCloudApp.formerKeys). */
function keyAliasesOf(apps: readonly LocalCloudApp[]): Map<string, string> {
  return new Map(apps.flatMap((a) => (a.formerKeys ?? []).filter((k) => k !== a.apikey).map((k): [string, string] => [k, a.apikey])));
}

/** Starts the embedded server that speaks the Filestack wire protocol on loopback. */
export async function startLocalCloud(opts: LocalCloudOptions): Promise<LocalCloud> {
  const origins = createOriginPolicy(opts.corsOrigins);
  const appList = opts.apps && opts.apps.length > 0 ? opts.apps : [{ apikey: DEFAULT_LOCAL_APIKEY }];
  const storage = await createStorage(opts.dataDir, { keyAliases: keyAliasesOf(appList) });
  const apps = new Map(appList.map((a) => [a.apikey, a]));
  const host = opts.host ?? '127.0.0.1';
  const ctx: CloudContext = {
    baseUrl: '',
    ...(opts.tls ? { tlsCert: opts.tls.cert } : {}),
    storage,
    apps,
    hooks: opts.hooks ?? {},
    signingKey: randomBytes(32),
    state: new Map(),
    allowPrivateFetch: opts.allowPrivateFetch ?? false,
    origins,
    boundHost: host,
    sessionGc: createSessionGc(storage, opts.sessions, (m) => opts.log?.('info', m)),
    ...(opts.log ? { log: opts.log } : {}),
  };
  const routes: Route[] = [
    { method: 'GET', path: /^\/$/, handler: (_req, res) => sendJson(res, 200, { name: 'Ferry local cloud', ok: true }) },
    ...(opts.extraRoutes ?? []),
    ...(opts.imagekit === false ? [] : imagekitRoutes(opts.imagekit)),
    ...filestackRoutes(opts.filestack),
  ];
  const listener = createRouter(routes, ctx);
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : http.createServer(listener);
  // Part PUTs of big parts on slow disks may take a while; do not cut them off early.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  // Plain sockets for http, TLS sockets (after the handshake) for https: track both.
  server.on(opts.tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const scheme = opts.tls ? 'https' : 'http';
  ctx.baseUrl = baseUrlOf(scheme, urlHost, port);
  ctx.sessionGc.start();
  return {
    baseUrl: ctx.baseUrl,
    port,
    dataDir: opts.dataDir,
    storage,
    apps,
    context: ctx,
    allowOrigin: (origin) => origins.add(origin),
    sweepSessions: () => ctx.sessionGc.sweep(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        ctx.sessionGc.stop();
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive sockets would hold close() open; in-flight ones are cut too, the
        // clients' retries and the multipart sessions on disk make that safe.
        for (const s of sockets) s.destroy();
      }),
  };
}

/** `scheme://host[:port]`, leaving out the scheme's default port (filestack-js cannot use an explicit one). */
export function baseUrlOf(scheme: 'http' | 'https', host: string, port: number): string {
  const defaultPort = scheme === 'https' ? 443 : 80;
  return port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}
