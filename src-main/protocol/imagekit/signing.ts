/**
 * ImageKit signed delivery URLs (spec §4.7): client-side signing and the emulator's check.
 * The signature covers the literal (percent-encoded) bytes of the URL after the endpoint, so both
 * sides work on raw strings and never re-serialise through a URL object.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { normaliseEndpoint } from '../../../src-shared/imagekit/url-builder.js';

/** Expiry used when a URL never expires; signed but not emitted as `ik-t`. */
export const NEVER_EXPIRES = 9999999999;

/** Options of {@link signUrl}. `now` is Unix time in seconds (injected so tests are exact). */
export type SignUrlOptions = {
  readonly urlEndpoint: string;
  readonly privateKey: string;
  /** Lifetime in seconds; absent, zero or negative means "never expires". */
  readonly expiresInSeconds?: number;
  readonly now: number;
};

const hmacSha1Hex = (key: string, message: string): string =>
  createHmac('sha1', key).update(message, 'utf8').digest('hex');

/** Constant-time comparison of two lowercase hex strings. */
function sameHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Removes the first occurrence of `<endpoint>/`. The endpoint is tried as given and in the
 * canonical form {@link buildUrl} emits (lower-case host), so `…/demo` and `…/demo/` both work.
 * When the URL does not contain the endpoint, the whole URL is signed (v6 behaviour).
 */
function stripEndpoint(url: string, urlEndpoint: string): string {
  const candidates = [urlEndpoint.replace(/\/+$/, ''), normaliseEndpoint(urlEndpoint)];
  for (const c of candidates) {
    if (!c) continue;
    const idx = url.indexOf(`${c}/`);
    if (idx >= 0) return url.slice(0, idx) + url.slice(idx + c.length + 1);
  }
  return url;
}

/**
 * Signs a complete delivery URL (transformations and query included): appends `ik-t` (only when
 * it expires) and `ik-s` as the last query parameters.
 */
export function signUrl(url: string, opts: SignUrlOptions): string {
  const lifetime = opts.expiresInSeconds ?? 0;
  // Rounding the lifetime up keeps a positive request from producing an already-expired URL.
  const expiry = lifetime > 0 ? Math.floor(opts.now) + Math.ceil(lifetime) : NEVER_EXPIRES;
  const signature = hmacSha1Hex(opts.privateKey, stripEndpoint(url, opts.urlEndpoint) + String(expiry));
  const sep = url.includes('?') ? '&' : '?';
  const expiryParam = expiry === NEVER_EXPIRES ? '' : `ik-t=${expiry}&`;
  return `${url}${sep}${expiryParam}ik-s=${signature}`;
}

/** Inputs of {@link verifySignedUrl}; `now` in Unix seconds. */
export type VerifySignedUrlOptions = {
  /** Request-target as received (`/demo/tr:w-1/a.jpg?x=1&ik-s=…`), still percent-encoded. */
  readonly rawRequestTarget: string;
  /** Path part of the endpoint, e.g. `/demo` (`''` or `/` for a host-only endpoint). */
  readonly endpointPath: string;
  readonly privateKey: string;
  readonly now: number;
};

/** Outcome of a signed-URL check; the emulator answers 401 with `message` on failure. */
export type SignedUrlCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'bad-signature' | 'expired'; readonly message: string };

/**
 * Emulator verification recipe (§4.7, derived; the real server's canonicalisation is
 * UNCONFIRMED): drop the endpoint prefix and `ik-s`/`ik-t`, keep every other parameter raw and in
 * order, append `ik-t` or 9999999999, compare HMAC-SHA1 in constant time, then check expiry.
 * The signature is checked before expiry so a forged `ik-t` reads as tampering, not expiry.
 */
export function verifySignedUrl(opts: VerifySignedUrlOptions): SignedUrlCheck {
  const target = opts.rawRequestTarget.replace(/#.*$/, '');
  const qIdx = target.indexOf('?');
  const path = qIdx >= 0 ? target.slice(0, qIdx) : target;
  const params = qIdx >= 0 ? target.slice(qIdx + 1).split('&') : [];
  let sig: string | undefined;
  let expiry: string | undefined;
  const kept: string[] = [];
  for (const p of params) {
    const eq = p.indexOf('=');
    const key = eq >= 0 ? p.slice(0, eq) : p;
    const value = eq >= 0 ? p.slice(eq + 1) : '';
    if (key === 'ik-s') sig = value;
    else if (key === 'ik-t') expiry = value;
    else if (p !== '') kept.push(p);
  }
  if (sig === undefined || sig === '') {
    return { ok: false, reason: 'missing', message: 'This URL needs a signature (ik-s). Sign it with your private key.' };
  }
  const prefix = `${opts.endpointPath.replace(/\/+$/, '')}/`;
  const bad = { ok: false, reason: 'bad-signature', message: 'The signature of this URL is invalid.' } as const;
  if (!path.startsWith(prefix)) return bad;
  const stringToSign = path.slice(prefix.length) + (kept.length > 0 ? `?${kept.join('&')}` : '') + (expiry ?? String(NEVER_EXPIRES));
  if (!sameHex(sig.toLowerCase(), hmacSha1Hex(opts.privateKey, stringToSign))) return bad;
  if (expiry !== undefined && (!/^\d+$/.test(expiry) || Number(expiry) < opts.now)) {
    return { ok: false, reason: 'expired', message: 'This signed URL has expired.' };
  }
  return { ok: true };
}
