/**
 * Downloads a user-given http(s) URL for the local cloud (store-from-URL, ImageKit URL uploads,
 * File API overwrite from a URL): a deadline for the response headers, a byte cap enforced while
 * streaming (a huge or endless body never fills memory), redirects followed by hand (at most 5)
 * and, unless `allowPrivate`, every hop's address checked by url-guard.ts (the cloud's own
 * links excepted: `self`). Throws nothing: failures come back as data.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { CloudContext } from './context.js';
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
  /** The cloud's own base URL: its own links are fetched even though they are on loopback. */
  readonly self?: string;
  /** An extra trusted certificate (PEM) for https: the local cloud's own, so it can read its own links over TLS. */
  readonly ca?: string;
};

/**
 * What every fetch of a user-given URL takes from the server: its private-address policy, its
 * own base URL (its own links are always readable) and its TLS certificate (to trust them).
 */
export function fetchPolicyOf(ctx: CloudContext): { allowPrivate: CloudContext['allowPrivateFetch']; self: string; ca?: string } {
  return { allowPrivate: ctx.allowPrivateFetch, self: ctx.baseUrl, ...(ctx.tlsCert !== undefined ? { ca: ctx.tlsCert } : {}) };
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Result = { ok: true; value: FetchedSource } | { ok: false; failure: FetchFailure };

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
  return out;
}

/** One GET; resolves with the response once its headers arrived. */
function get(url: URL, headers: Record<string, string>, policy: PrivateFetchPolicy, signal: AbortSignal, ca: string | undefined): Promise<http.IncomingMessage> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  const trust = url.protocol === 'https:' && ca !== undefined ? { ca: [...rootCertificates, ca] } : {};
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal, ...trust, ...(policy === true ? {} : { lookup: guardedLookup(policy) }) }, resolve);
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
    // The cloud's own links are not a way into anything else (it answers them itself).
    const policy = isSelf(current, opts.self) ? true : (opts.allowPrivate ?? false);
    const literal = refuseLiteral(current.hostname, policy);
    if (literal) return { ok: false, failure: { kind: 'refused', ...literal } };
    let res: http.IncomingMessage;
    try {
      res = await get(current, current.origin === origin ? { ...opts.headers } : {}, policy, deadline, opts.ca);
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

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` is one of the cloud's own links: its scheme and port, on a loopback name. */
function isSelf(url: URL, self: string | undefined): boolean {
  if (self === undefined) return false;
  const own = new URL(self);
  return url.protocol === own.protocol && url.port === own.port && LOOPBACK_NAMES.has(url.hostname) && LOOPBACK_NAMES.has(own.hostname);
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
