import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../../src-shared/errors.js';
import type { CloudContext } from './context.js';
import { hostAllowed } from './origin-policy.js';

/** One route of the local cloud. `path` is matched against the URL pathname (no query). */
export type Route = {
  /** HTTP method; a 'GET' route also answers HEAD. */
  readonly method: string;
  readonly path: RegExp;
  readonly handler: (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, ctx: CloudContext) => Promise<void> | void;
};

/** An error a handler throws to answer with a given status and a JSON `{message, code}` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra answer headers (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** HTTP status for the AppError codes shared helpers (renderer, fetcher, storage) throw. */
const STATUS_OF_CODE: Readonly<Partial<Record<AppError['code'], number>>> = {
  bad_request: 400,
  unsupported: 400,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  aborted: 499,
  internal: 500,
};

/**
 * The answer for an AppError a shared helper threw: its status (`fallback` for codes without
 * one), and Retry-After when the error says how long to wait (a busy renderer).
 */
export function httpErrorOf(e: AppError, fallback = 400): HttpError {
  const wait = e.details?.retryAfterSeconds;
  return new HttpError(STATUS_OF_CODE[e.code] ?? fallback, e.code, e.message, typeof wait === 'number' ? { 'Retry-After': String(Math.ceil(wait)) } : {});
}

/** Lets an allowed browser client (the picker, the renderer) read ETags and ranges. */
const EXPOSE_HEADERS = 'ETag, Content-Length, Content-Range, Accept-Ranges, Retry-After';

/** Writes a JSON answer (no body for HEAD). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Writes the JSON error body `{message, code}` used by every front end. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { message, code }, headers);
}

/**
 * The Host and Origin gate (origin-policy.ts): false when the request was refused. An allowed
 * origin gets a CORS grant naming it; preflights are answered here.
 */
function admit(req: IncomingMessage, res: ServerResponse, ctx: CloudContext, method: string): boolean {
  res.setHeader('Vary', 'Origin');
  // Harmless without a grant; an allowed browser client reads ETags and ranges with it.
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  if (!hostAllowed(req.headers.host, ctx.boundHost)) {
    sendError(res, 421, 'misdirected', `This local cloud answers loopback host names only, not ${JSON.stringify(req.headers.host)}.`);
    return false;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!ctx.origins.allows(origin)) {
      ctx.log?.('info', `refused a request from origin ${origin}`);
      sendError(res, 403, 'forbidden', `Requests from ${origin} are not allowed; start the local cloud with --cors ${origin} to allow them.`);
      return false;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
  }
  if (method !== 'OPTIONS') return true;
  // Headers and methods are granted only to an allowed origin (the gate above refused the rest).
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
    ...(origin !== undefined && req.headers['access-control-request-headers'] !== undefined
      ? { 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] }
      : {}),
    'Access-Control-Max-Age': '600',
  });
  res.end();
  return false;
}

/**
 * Builds the request listener: Host/Origin gate and CORS, route matching, 404 for unknown
 * routes and 500 (never a crash) for anything a handler throws.
 */
export function createRouter(routes: readonly Route[], ctx: CloudContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!admit(req, res, ctx, method)) return;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://local').pathname;
    } catch {
      sendError(res, 400, 'bad_request', 'Malformed request URL.');
      return;
    }
    for (const route of routes) {
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) continue;
      route.path.lastIndex = 0;
      const match = route.path.exec(pathname);
      if (!match) continue;
      Promise.resolve()
        .then(() => route.handler(req, res, match, ctx))
        .catch((err: unknown) => answerThrown(res, err, ctx));
      return;
    }
    sendError(res, 404, 'not_found', `No route for ${method} ${pathname}.`);
  };
}

function answerThrown(res: ServerResponse, err: unknown, ctx: CloudContext): void {
  if (err instanceof HttpError) {
    sendError(res, err.status, err.code, err.message, { ...err.headers });
    return;
  }
  ctx.log?.('error', err instanceof Error ? (err.stack ?? err.message) : String(err));
  sendError(res, 500, 'internal', err instanceof Error ? err.message : 'Internal error.');
}

/** Default largest JSON/form body the API endpoints accept. */
export const MAX_API_BODY_BYTES = 1024 * 1024;

/** Reads a whole (small) request body; over `limit` → 413. */
export async function readBody(req: IncomingMessage, limit = MAX_API_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Query parameters of a request. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://local').searchParams;
}
