import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { appError, codeForStatus, FerryError } from '../../src-shared/errors.js';
import { DEFAULT_STALL_MS, startStallWatchdog, type StallWatchdog } from './stall.js';
import type { RateLimiter } from './throttle.js';

/** Size of the slices a Buffer body is written in under a bandwidth limit; progress and throttling hook in per slice. */
export const WRITE_SLICE_BYTES = 64 * 1024;
/**
 * Slices without a limit: 1 MiB keeps the socket buffer full between two turns of a busy event
 * loop (a 64 KiB slice per turn left loopback uploads waiting on the JS thread, not the network).
 */
export const UNLIMITED_SLICE_BYTES = 1024 * 1024;

/** Default overall request timeout (matches the Filestack JS SDK's 120 s). */
export const DEFAULT_TIMEOUT_MS = 120_000;

// Keep-alive agents: multipart uploads make many short requests to the same host.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32 });

export type HttpRequestOptions = {
  readonly method: string;
  readonly url: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer | string;
  readonly signal?: AbortSignal;
  /** Overall time budget for the request, in ms. */
  readonly timeoutMs?: number;
  /** Called after each body slice is handed to the socket with the total bytes written so far. */
  readonly onUploadProgress?: (sentBytes: number) => void;
  /** A body produced while sending (e.g. read from disk); used instead of `body`. */
  readonly stream?: StreamBody;
  /** When set, response chunks go here instead of being buffered (`body` is then empty). */
  readonly onResponseData?: (chunk: Buffer) => void;
  /** Abort with `stalled` after this long without a byte written or received (default 30 s; 0 = off). */
  readonly stallTimeoutMs?: number;
  /** Shared bandwidth limit the body waits on per slice; that wait counts as neither stall nor timeout. */
  readonly limiter?: RateLimiter;
};

/**
 * A request body streamed while sending, so a large file never sits in memory. `length` is sent
 * as Content-Length up front (progress needs a total); producing a different byte count fails the
 * request. Errors thrown by `chunks` (e.g. ENOENT reading the file) reject the request unchanged.
 */
export type StreamBody = { readonly length: number; readonly chunks: () => AsyncIterable<Uint8Array> };

export type HttpResponse = {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
};

function abortedError(): FerryError {
  return new FerryError(appError('aborted', 'The request was canceled.'));
}

/**
 * What a transport failure means in words people use, naming the host: "Can't reach
 * upload.filestackapi.com: no network / DNS". Exported for errors that reach us another way
 * (e.g. undici's `fetch failed` with a `cause.code`).
 */
export function describeNetworkFailure(code: string, host: string, detail?: string): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `Can't reach ${host}: no network / DNS (${code}).`;
    case 'ECONNREFUSED':
      return `Can't reach ${host}: connection refused (ECONNREFUSED).`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `Can't reach ${host}: no route to it (${code}); check the network.`;
    case 'ETIMEDOUT':
      return `Can't reach ${host}: the connection timed out.`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return `Lost the connection to ${host}: it was reset (${code}).`;
    default:
      return `Network error talking to ${host}: ${detail ?? code}`;
  }
}

function mapTransportError(err: unknown, url: string): FerryError {
  if (err instanceof FerryError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
  const message = describeNetworkFailure(code, safeHost(url), e?.message);
  if (code === 'ETIMEDOUT') return new FerryError(appError('timeout', message, { details: { errno: code } }));
  // Everything else on the transport (refused, reset, DNS, TLS) is a network failure worth retrying.
  return new FerryError(appError('network', message, { details: { errno: code } }));
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'server';
  }
}

/**
 * Performs one HTTP(S) request on node:http and buffers the response. Transport failures become
 * FerryError `network` / `timeout` / `aborted`; HTTP statuses are returned, never thrown.
 */
export function httpRequest(opts: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortedError());
      return;
    }
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      reject(new FerryError(appError('bad_request', `Invalid URL: ${opts.url}`)));
      return;
    }
    const isHttps = url.protocol === 'https:';
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    const headers: OutgoingHttpHeaders = { ...opts.headers };
    if (body !== undefined && !hasHeader(headers, 'content-length')) headers['Content-Length'] = body.length;
    if (opts.stream !== undefined && !hasHeader(headers, 'content-length')) headers['Content-Length'] = opts.stream.length;

    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watchdog.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = (isHttps ? https : http).request(url, {
      method: opts.method,
      headers,
      agent: isHttps ? httpsAgent : httpAgent,
    });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const onTimeout = (): void => {
      const err = new FerryError(appError('timeout', `${opts.method} ${url.host} took longer than ${timeoutMs} ms.`));
      finish(() => reject(err));
      req.destroy(err);
    };
    let deadline = Date.now() + timeoutMs;
    let timer = setTimeout(onTimeout, timeoutMs);
    const stallMs = opts.stallTimeoutMs ?? DEFAULT_STALL_MS;
    // Bytes the socket took since the request began: progress the watchdog sees between slices.
    const moved = (): number => req.socket?.bytesWritten ?? 0;
    const watchdog = startStallWatchdog(stallMs, (silentMs) => {
      const err = new FerryError(
        appError('stalled', `No data moved to or from ${url.host} for ${(silentMs / 1000).toFixed(1)} s; the connection looks stalled.`, {
          details: { stallMs, silentMs },
        }),
      );
      finish(() => reject(err));
      req.destroy(err);
    }, Date.now, moved);
    const pacing: Pacing = {
      watchdog,
      // Time spent waiting on our own bandwidth limiter pushes the overall deadline back.
      pauseDeadline: (waitedMs) => {
        if (settled || waitedMs <= 0) return;
        deadline += waitedMs;
        clearTimeout(timer);
        timer = setTimeout(onTimeout, Math.max(0, deadline - Date.now()));
      },
      ...(opts.limiter ? { limiter: opts.limiter } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    const onAbort = (): void => {
      finish(() => reject(abortedError()));
      req.destroy(abortedError());
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (err) => finish(() => reject(mapTransportError(err, opts.url))));
    req.on('response', (res) => {
      watchdog.touch();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        watchdog.touch();
        if (opts.onResponseData) opts.onResponseData(c);
        else chunks.push(c);
      });
      res.on('error', (err) => finish(() => reject(mapTransportError(err, opts.url))));
      res.on('aborted', () => finish(() => reject(new FerryError(appError('network', 'The server closed the connection mid-response.')))));
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
    });

    if (opts.stream !== undefined) {
      writeStream(req, opts.stream, opts.onUploadProgress, pacing).catch((err: unknown) => {
        finish(() => reject(err instanceof BodySourceError ? err.failure : mapTransportError(err, opts.url)));
        req.destroy();
      });
      return;
    }
    if (body === undefined) {
      req.end();
      return;
    }
    writeSliced(req, body, opts.onUploadProgress, pacing).catch((err: unknown) => {
      finish(() => reject(mapTransportError(err, opts.url)));
      req.destroy();
    });
  });
}

/** Per-request stall watchdog, deadline control and optional bandwidth limiter for the body writers. */
type Pacing = { watchdog: StallWatchdog; pauseDeadline: (waitedMs: number) => void; limiter?: RateLimiter; signal?: AbortSignal };

/**
 * Waits on the bandwidth limiter for `bytes` with the stall watchdog suspended: our own throttle
 * is not the server stalling, and the wait does not count against the overall timeout.
 */
async function paceSlice(pacing: Pacing, bytes: number): Promise<void> {
  if (!pacing.limiter) return;
  pacing.watchdog.suspend();
  const t0 = Date.now();
  await pacing.limiter.take(bytes, pacing.signal);
  pacing.pauseDeadline(Date.now() - t0);
  pacing.watchdog.touch();
}

/** Writes the body in slices, waiting for 'drain' so memory stays bounded and progress is real. */
async function writeSliced(req: http.ClientRequest, body: Buffer, onProgress: ((sent: number) => void) | undefined, pacing: Pacing): Promise<void> {
  let sent = 0;
  const sliceBytes = pacing.limiter?.rate !== undefined ? WRITE_SLICE_BYTES : UNLIMITED_SLICE_BYTES;
  for (let off = 0; off < body.length; off += sliceBytes) {
    if (req.destroyed) return;
    const slice = body.subarray(off, Math.min(body.length, off + sliceBytes));
    await paceSlice(pacing, slice.length);
    if (req.destroyed) return;
    const flushed = req.write(slice);
    sent += slice.length;
    onProgress?.(sent);
    if (!flushed) await waitDrain(req);
    pacing.watchdog.touch();
  }
  req.end();
}

/** Marks a failure of the body's producer (not of the transport) so it is passed through as is. */
class BodySourceError extends Error {
  constructor(readonly failure: unknown) {
    super('request body source failed');
  }
}

/** Writes a streamed body chunk by chunk with backpressure; checks the promised length. */
async function writeStream(req: http.ClientRequest, stream: StreamBody, onProgress: ((sent: number) => void) | undefined, pacing: Pacing): Promise<void> {
  let sent = 0;
  const it = stream.chunks()[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (req.destroyed) return;
      let next: IteratorResult<Uint8Array>;
      try {
        next = await it.next();
      } catch (err) {
        throw new BodySourceError(err);
      }
      if (next.done) break;
      if (req.destroyed) return;
      sent += next.value.length;
      if (sent > stream.length) break;
      await paceSlice(pacing, next.value.length);
      if (req.destroyed) return;
      const flushed = req.write(next.value);
      onProgress?.(sent);
      if (!flushed) await waitDrain(req);
      pacing.watchdog.touch();
    }
  } finally {
    await it.return?.();
  }
  if (sent !== stream.length) {
    throw new BodySourceError(new FerryError(appError('file_changed', `The request body changed size while sending (${sent} of ${stream.length} bytes).`, { retryable: false })));
  }
  req.end();
}

function waitDrain(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

function hasHeader(headers: OutgoingHttpHeaders, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

export type JsonRequestOptions = Omit<HttpRequestOptions, 'body'> & {
  /** Serialised as the JSON body with Content-Type application/json. */
  readonly json?: unknown;
  readonly body?: Buffer | string;
};

export type JsonResponse = { readonly status: number; readonly headers: IncomingHttpHeaders; readonly data: unknown };

/**
 * Sends a request, parses a JSON answer (empty body → null) and turns non-2xx statuses into
 * FerryError(codeForStatus). Details carry `status`, the server's `code` and `Retry-After` when present.
 */
export async function jsonRequest(opts: JsonRequestOptions): Promise<JsonResponse> {
  const headers: OutgoingHttpHeaders = { Accept: 'application/json', ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  }
  const res = await httpRequest({ ...opts, headers, ...(body !== undefined ? { body } : {}) });
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, `${opts.method} ${safeHost(opts.url)}`);
  const text = res.body.toString('utf8').trim();
  if (text === '') return { status: res.status, headers: res.headers, data: null };
  try {
    return { status: res.status, headers: res.headers, data: JSON.parse(text) as unknown };
  } catch {
    throw new FerryError(appError('protocol', `The server answered ${res.status} with a body that is not JSON.`, { details: { status: res.status } }));
  }
}

/** Builds the FerryError for a non-2xx response; understands JSON `{message, code}` and S3 XML errors. */
export function errorFromResponse(res: HttpResponse, what: string): FerryError {
  const text = res.body.toString('utf8').slice(0, 4000);
  let message: string | undefined;
  let serverCode: string | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const p = parsed as Record<string, unknown>;
      const m = p.message ?? p.error ?? p.error_description;
      if (typeof m === 'string') message = m;
      if (typeof p.code === 'string') serverCode = p.code;
    }
  } catch {
    const xmlCode = /<Code>([^<]+)<\/Code>/.exec(text);
    const xmlMsg = /<Message>([^<]+)<\/Message>/.exec(text);
    if (xmlCode) serverCode = xmlCode[1];
    if (xmlMsg) message = xmlMsg[1];
    else if (text.trim() !== '' && !text.trimStart().startsWith('<')) message = text.trim().slice(0, 300);
  }
  const retryAfter = res.headers['retry-after'];
  const details: Record<string, string | number> = { status: res.status };
  if (serverCode !== undefined) details.serverCode = serverCode;
  if (typeof retryAfter === 'string') details.retryAfter = retryAfter;
  return new FerryError(
    appError(codeForStatus(res.status), message ?? `${what} failed with HTTP ${res.status}.`, { details }),
  );
}
