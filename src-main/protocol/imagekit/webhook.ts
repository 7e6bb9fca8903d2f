/**
 * ImageKit webhook signatures (spec §9, v6 scheme): header `x-ik-signature: t=<unix-ms>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `<t>.<rawBody>`). The local cloud signs with
 * {@link signWebhook}; the app (or a user's server) checks with {@link verifyWebhook}.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Default replay window: events older or newer than this (ms) are refused. */
export const DEFAULT_WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

/** Header name ImageKit uses (HTTP headers are case-insensitive; Node lower-cases them). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-ik-signature';

const hmacHex = (secret: string, timestamp: string, rawBody: string | Uint8Array): string => {
  const h = createHmac('sha256', secret);
  h.update(`${timestamp}.`, 'utf8');
  if (typeof rawBody === 'string') h.update(rawBody, 'utf8');
  else h.update(rawBody);
  return h.digest('hex');
};

/** Builds the `x-ik-signature` value for a body sent at `timestampMs`. */
export function signWebhook(rawBody: string | Uint8Array, secret: string, timestampMs: number): string {
  const t = String(Math.trunc(timestampMs));
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

/** Outcome of {@link verifyWebhook}; `event` is the parsed JSON body. */
export type WebhookCheck =
  | { readonly ok: true; readonly timestamp: number; readonly event: unknown }
  | { readonly ok: false; readonly message: string };

/** Options of {@link verifyWebhook}; `now` in Unix ms. */
export type VerifyWebhookOptions = {
  readonly now: number;
  /** Replay window in ms (default 5 minutes); `Infinity` disables the check. */
  readonly toleranceMs?: number;
};

/**
 * Verifies a webhook delivery. Messages follow v6: `Timestamp missing`, `Timestamp invalid`,
 * `Signature missing`, `Incorrect signature`; a stale or future timestamp (replay protection,
 * which v6 leaves to the caller) gives `Timestamp outside the tolerance window`. The body must be
 * the raw bytes as received — re-serialised JSON will not match.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  signatureHeader: string | undefined,
  secret: string,
  opts: VerifyWebhookOptions,
): WebhookCheck {
  const parts = new Map<string, string>();
  for (const item of (signatureHeader ?? '').split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const t = parts.get('t');
  if (t === undefined || t === '') return { ok: false, message: 'Timestamp missing' };
  if (!/^\d+$/.test(t)) return { ok: false, message: 'Timestamp invalid' };
  const v1 = parts.get('v1');
  if (v1 === undefined || v1 === '') return { ok: false, message: 'Signature missing' };
  const expected = Buffer.from(hmacHex(secret, t, rawBody), 'utf8');
  const given = Buffer.from(v1.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, message: 'Incorrect signature' };
  }
  const timestamp = Number(t);
  if (Math.abs(opts.now - timestamp) > (opts.toleranceMs ?? DEFAULT_WEBHOOK_TOLERANCE_MS)) {
    return { ok: false, message: 'Timestamp outside the tolerance window' };
  }
  const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  try {
    return { ok: true, timestamp, event: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: 'Body is not valid JSON' };
  }
}
