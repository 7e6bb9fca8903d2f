/**
 * Downloads a user-given http(s) URL for the local cloud (store-from-URL, ImageKit URL uploads,
 * File API overwrite from a URL): a deadline for the response headers, a byte cap enforced while
 * streaming (a huge or endless body never fills memory), redirects followed by hand (at most 5)
 * and, unless `allowPrivate`, every hop's address checked by url-guard.ts. Throws nothing:
 * failures come back as data.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, refuseLiteral, RefusedAddressError, type PrivateFetchPolicy, type Refusal } from './url-guard.js';

/** Why a remote source could not be read; each front end words its own error from this. */
export type FetchFailure =
  | { readonly kind: 'invalid-url' }
  | { readonly kind: 'unreachable'; readonly reason: string; readonly timedOut: boolean }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'too-large' }
  /** The URL (or a redirect) names a loopback, private, link-local or other special address. */
  | ({ readonly kind: 'refused' } & Refusal);

export type FetchedSource = { readonly data: Buffer; readonly headers: Headers; readonly url: string };

/** Options of {@link fetchCapped}. */
export type FetchCappedOptions = {
  readonly maxBytes: number;
  /** Deadline for the final response's headers, redirects included (ms). */
  readonly timeoutMs: number;
  /** Request headers; dropped when a redirect leaves the URL's origin. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Which loopback/private/link-local addresses may be fetched too (`--allow-private-fetch`); default none. */
  readonly allowPrivate?: PrivateFetchPolicy;
};

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Result = { ok: true; value: FetchedSource } | { ok: false; failure: FetchFailure };

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
  return out;
}

/** One GET; resolves with the response once its headers arrived. */
function get(url: URL, headers: Record<string, string>, policy: PrivateFetchPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal, ...(policy === true ? {} : { lookup: guardedLookup(policy) }) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Downloads `url`; see the module comment. */
export async function fetchCapped(url: string, opts: FetchCappedOptions): Promise<Result> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { ok: false, failure: { kind: 'invalid-url' } };
  }
  const origin = current.origin;
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') return { ok: false, failure: { kind: 'invalid-url' } };
    const literal = refuseLiteral(current.hostname, opts.allowPrivate ?? false);
    if (literal) return { ok: false, failure: { kind: 'refused', ...literal } };
    let res: http.IncomingMessage;
    try {
      res = await get(current, current.origin === origin ? { ...opts.headers } : {}, opts.allowPrivate ?? false, deadline);
    } catch (err) {
      if (err instanceof RefusedAddressError) return { ok: false, failure: { kind: 'refused', ...err.refusal } };
      return { ok: false, failure: { kind: 'unreachable', reason: err instanceof Error ? err.message : String(err), timedOut: deadline.aborted } };
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) return { ok: false, failure: { kind: 'unreachable', reason: `more than ${MAX_REDIRECTS} redirects`, timedOut: false } };
      try {
        current = new URL(location, current);
      } catch {
        return { ok: false, failure: { kind: 'invalid-url' } };
      }
      continue;
    }
    if (status < 200 || status > 299) {
      res.resume();
      return { ok: false, failure: { kind: 'status', status } };
    }
    return readCapped(res, current.href, opts.maxBytes);
  }
}

async function readCapped(res: http.IncomingMessage, url: string, maxBytes: number): Promise<Result> {
  if (Number(res.headers['content-length'] ?? NaN) > maxBytes) {
    res.destroy();
    return { ok: false, failure: { kind: 'too-large' } };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        return { ok: false, failure: { kind: 'too-large' } };
      }
      chunks.push(chunk);
    }
  } catch (err) {
    return { ok: false, failure: { kind: 'unreachable', reason: err instanceof Error ? err.message : String(err), timedOut: false } };
  }
  return { ok: true, value: { data: Buffer.concat(chunks), headers: toHeaders(res.headers), url } };
}
