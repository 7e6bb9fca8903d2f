import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * In-process HTTP fault proxy for reliability tests (reliability matrix rows 1-5, 7). It sits on
 * 127.0.0.1 in front of a real server and, per request, forwards faithfully or injects a fault
 * chosen by a rule function. No Docker, no netem: everything happens in this process.
 */

/** What the rule sees. `bytesSoFar` counts request body bytes received on earlier requests. */
export type FaultRequest = {
  readonly method: string;
  readonly url: string;
  /** 0-based index of this request since the proxy started. */
  readonly n: number;
  readonly bytesSoFar: number;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
};

export type RewrittenResponse = { status: number; headers: Record<string, string | string[]>; body: Buffer };

/**
 * One injected fault.
 * - reset-after: forward the request, reset the client connection once `bytes` body bytes
 *   were forwarded. When the body is shorter, the whole request reaches the server and the reset
 *   happens instead of the response ("the server did it, the client never heard"). 0 resets
 *   before anything is forwarded.
 * - stall: read the request, never answer (until close()).
 * - throttle: forward with both bodies paced to `bytesPerSecond`.
 * - status: answer locally without forwarding.
 * - rewrite-response: forward, then let `fn` change the buffered response.
 */
export type Fault =
  | { readonly kind: 'reset-after'; readonly bytes: number }
  | { readonly kind: 'stall' }
  | { readonly kind: 'throttle'; readonly bytesPerSecond: number }
  | {
      readonly kind: 'status';
      readonly status: 500 | 503 | 429;
      readonly headers?: Record<string, string>;
      readonly body?: string | Buffer;
    }
  | {
      readonly kind: 'rewrite-response';
      readonly fn: (status: number, headers: Record<string, string | string[]>, body: Buffer) => RewrittenResponse;
    };

export type FaultRule = (req: FaultRequest) => Fault | null;

/** One line of the proxy's request log. `requestBytes` grows while the body streams in. */
export type FaultLogEntry = {
  readonly n: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  /** Epoch ms when the request headers arrived. */
  readonly time: number;
  readonly fault: Fault['kind'] | null;
  requestBytes: number;
  /** Status sent to the client, or null when none was (reset, stall, client gone). */
  status: number | null;
};

export type FaultProxy = {
  /** Base URL to give the client, e.g. `http://127.0.0.1:41234`; the target's path prefix is added by the proxy. */
  readonly url: string;
  readonly log: readonly FaultLogEntry[];
  setRule(rule: FaultRule): void;
  /** Stops listening and destroys every open connection, stalled ones included. */
  close(): Promise<void>;
};

/** Deterministic PRNG for "N seeds" tests: same seed, same sequence of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function stripHopByHop(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.includes(k)) out[k] = v;
  return out;
}

/** Sends a RST when the platform can, so the client sees ECONNRESET rather than a clean FIN. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Re-emits `chunk` in slices paced to `bps`; stops early when `signal` aborts. */
async function* paced(source: AsyncIterable<Buffer>, bps: number, signal: AbortSignal): AsyncGenerator<Buffer> {
  const slice = Math.max(1, Math.floor(bps / 20));
  for await (const chunk of source) {
    for (let off = 0; off < chunk.length; off += slice) {
      const piece = chunk.subarray(off, off + slice);
      await sleep((piece.length / bps) * 1000, undefined, { signal });
      yield piece;
    }
  }
}

/** Starts a fault proxy in front of `target` (an http:// base URL). */
export async function startFaultProxy(target: string, initialRule: FaultRule = () => null): Promise<FaultProxy> {
  const base = new URL(target);
  const prefix = base.pathname.replace(/\/$/, '');
  let rule = initialRule;
  let counter = 0;
  let bytesSoFar = 0;
  const log: FaultLogEntry[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const agent = new http.Agent({ keepAlive: false });

  const server = http.createServer((req, res) => {
    const n = counter++;
    const headers = { ...req.headers };
    const fault = rule({ method: req.method ?? 'GET', url: req.url ?? '/', n, bytesSoFar, headers });
    const entry: FaultLogEntry = {
      n, method: req.method ?? 'GET', url: req.url ?? '/', headers, time: Date.now(), fault: fault?.kind ?? null, requestBytes: 0, status: null,
    };
    log.push(entry);
    req.on('data', (chunk: Buffer) => {
      entry.requestBytes += chunk.length;
      bytesSoFar += chunk.length;
    });
    res.on('finish', () => (entry.status = res.statusCode));
    handle(req, res, fault);
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | null): void {
    if (fault?.kind === 'stall') {
      req.resume(); // keep reading so the client's upload completes and it waits for an answer
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        const body = typeof fault.body === 'string' ? Buffer.from(fault.body) : (fault.body ?? Buffer.alloc(0));
        res.writeHead(fault.status, { 'content-length': body.length, ...fault.headers });
        res.end(body);
      });
      return;
    }
    if (fault?.kind === 'reset-after' && fault.bytes <= 0) {
      reset(req.socket);
      return;
    }
    forward(req, res, fault);
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | null): void {
    const upstream = http.request({
      agent,
      host: base.hostname,
      port: base.port,
      method: req.method,
      path: prefix + (req.url ?? '/'),
      headers: { ...stripHopByHop(req.headers), host: base.host, ...(req.headers['transfer-encoding'] ? { 'transfer-encoding': 'chunked' } : {}) },
    });
    let resetDone = false;
    const resetNow = (): void => {
      resetDone = true;
      reset(req.socket);
      upstream.destroy();
    };
    upstream.on('error', () => {
      if (resetDone || res.headersSent || req.socket.destroyed) return reset(req.socket);
      res.writeHead(502, { 'content-type': 'text/plain' }).end('fault proxy: upstream unreachable');
    });
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });

    // Request body.
    if (fault?.kind === 'reset-after') {
      let forwarded = 0;
      req.on('data', (chunk: Buffer) => {
        if (resetDone) return;
        const room = fault.bytes - forwarded;
        if (chunk.length < room) {
          forwarded += chunk.length;
          upstream.write(chunk);
          return;
        }
        req.pause();
        upstream.write(chunk.subarray(0, room), () => resetNow());
      });
      req.on('end', () => {
        if (!resetDone) upstream.end();
      });
    } else if (fault?.kind === 'throttle') {
      void pipeGen(paced(req, fault.bytesPerSecond, closing.signal), upstream);
    } else {
      req.pipe(upstream);
    }

    // Response.
    upstream.on('response', (up) => {
      if (fault?.kind === 'reset-after') {
        up.resume();
        return resetNow(); // the body ended before N bytes: the server did the work, the client never hears
      }
      const status = up.statusCode ?? 502;
      if (fault?.kind === 'rewrite-response') {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const out = fault.fn(status, stripHopByHop(up.headers), Buffer.concat(chunks));
          const outHeaders = { ...out.headers };
          for (const k of Object.keys(outHeaders)) if (k.toLowerCase() === 'content-length') delete outHeaders[k];
          res.writeHead(out.status, { ...outHeaders, 'content-length': out.body.length });
          res.end(out.body);
        });
        return;
      }
      const headers = stripHopByHop(up.headers);
      res.writeHead(status, headers);
      if (fault?.kind === 'throttle') void pipeGen(paced(up, fault.bytesPerSecond, closing.signal), res);
      else up.pipe(res);
    });
  }

  /** Writes a paced stream into `dest`, respecting backpressure; errors just end the exchange. */
  async function pipeGen(source: AsyncGenerator<Buffer>, dest: NodeJS.WritableStream & { destroy(): void }): Promise<void> {
    try {
      for await (const piece of source) {
        if (!dest.write(piece)) await new Promise((r) => (dest as NodeJS.EventEmitter).once('drain', r));
      }
      dest.end();
    } catch {
      dest.destroy();
    }
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setRule: (next) => {
      rule = next;
    },
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      agent.destroy();
      await closed;
    },
  };
}
