/**
 * Client-side upload authentication (spec §3): the `{token, expire, signature}` triple a browser
 * sends instead of the private key, and the emulator's check of it (§2.4 messages).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** What a client adds to the multipart form (alongside `publicKey`). `expire` in Unix seconds. */
export type AuthenticationParameters = { token: string; expire: number; signature: string };

/** Longest lifetime the upload host accepts for `expire`, in seconds. */
export const MAX_EXPIRE_AHEAD_SECONDS = 3600;

/** Exact §2.4 text for an expire in the past or more than an hour ahead. */
export const INVALID_EXPIRE_MESSAGE =
  'Your request contains invalid expire parameter. Expire parameter should be a Unix time in less than 1 hour into the future.';

/** Exact §2.4 text for a reused token. */
export const tokenReusedMessage = (token: string): string =>
  `The token with value '${token}' has been used before. We suggest using V4 UUIDs, or another random string with enough entropy to avoid collisions.`;

const sign = (privateKey: string, token: string, expire: string): string =>
  createHmac('sha1', privateKey).update(token + expire, 'utf8').digest('hex');

/**
 * Computes upload auth parameters. Falsy `token` → random UUID v4; falsy `expire` →
 * `floor(now) + 1800`. `expire` is an absolute Unix time (the v7 doc comment says otherwise; its
 * code and tests treat it as absolute). `now` is Unix seconds, defaulting to the clock.
 */
export function getAuthenticationParameters(
  privateKey: string,
  token?: string,
  expire?: number,
  now: number = Date.now() / 1000,
): AuthenticationParameters {
  const t = token || randomUUID();
  const e = expire || Math.floor(now) + 1800;
  return { token: t, expire: e, signature: sign(privateKey, t, String(e)) };
}

/** Inputs of {@link verifyClientUpload}: raw multipart field values, `now` in Unix seconds. */
export type ClientUploadAuth = {
  readonly token: string | undefined;
  readonly expire: string | number | undefined;
  readonly signature: string | undefined;
  readonly privateKey: string;
  readonly now: number;
  /** Tokens already accepted; a successful check adds `token` to it. */
  readonly seenTokens: Set<string>;
};

/** Result of the emulator's check; every failure is a 400 with `message`. */
export type ClientUploadCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'expire' | 'signature' | 'token-reused'; readonly message: string };

/**
 * Server-side check of a client-side upload. Order: missing fields, expire window, signature,
 * token reuse — the token is only remembered once the signature proves it came from the key
 * holder, so junk requests cannot burn someone's tokens. The bad-signature wording is
 * UNCONFIRMED (§2.4).
 */
export function verifyClientUpload(input: ClientUploadAuth): ClientUploadCheck {
  for (const field of ['token', 'expire', 'signature'] as const) {
    const v = input[field];
    if (v === undefined || v === '') {
      return { ok: false, reason: 'missing', message: `Missing ${field} for upload. The request needs token, signature and expire for authentication.` };
    }
  }
  const token = String(input.token);
  const expireText = String(input.expire).trim();
  const expire = Number(expireText);
  if (!/^\d+$/.test(expireText) || expire < input.now || expire > input.now + MAX_EXPIRE_AHEAD_SECONDS) {
    return { ok: false, reason: 'expire', message: INVALID_EXPIRE_MESSAGE };
  }
  const expected = Buffer.from(sign(input.privateKey, token, expireText), 'utf8');
  const given = Buffer.from(String(input.signature).toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'signature', message: 'Your request contains invalid signature parameter. The signature should be HMAC-SHA1 of token + expire with your private key.' };
  }
  if (input.seenTokens.has(token)) return { ok: false, reason: 'token-reused', message: tokenReusedMessage(token) };
  input.seenTokens.add(token);
  return { ok: true };
}
