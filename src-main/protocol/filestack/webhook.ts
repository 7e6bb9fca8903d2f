/**
 * Filestack webhook signatures (spec §9): HMAC-SHA256 over `<FS-Timestamp>.<raw body bytes>`
 * with the webhook secret, lowercase hex in `FS-Signature`. Unlike the SDKs we compare in
 * constant time and refuse stale timestamps, so a captured delivery cannot be replayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Lowercase hex signature of one delivery. */
export function signWebhook(secret: string, rawBody: Buffer | string, timestamp: string | number): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  // Byte-for-byte: the body is never re-encoded, so non-UTF-8 bytes still verify.
  return createHmac('sha256', secret).update(`${String(timestamp)}.`, 'utf8').update(body).digest('hex');
}

/** Why a delivery was refused. */
export type WebhookRejection = 'missing-signature' | 'missing-timestamp' | 'bad-timestamp' | 'replay' | 'mismatch';

/** Inputs of verifyWebhook; `now` in Unix seconds. */
export type VerifyWebhookOptions = {
  readonly secret: string;
  readonly rawBody: Buffer | string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly now: number;
  /** Allowed clock distance in seconds either way; default 300. */
  readonly toleranceSeconds?: number;
};

function header(headers: VerifyWebhookOptions['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first.trim() !== '') return first.trim();
  }
  return undefined;
}

/** Verifies FS-Signature / FS-Timestamp (header names case-insensitive). */
export function verifyWebhook(
  opts: VerifyWebhookOptions,
): { ok: true } | { ok: false; reason: WebhookRejection; message: string } {
  const signature = header(opts.headers, 'FS-Signature');
  if (signature === undefined) return { ok: false, reason: 'missing-signature', message: 'FS-Signature header is missing.' };
  const timestamp = header(opts.headers, 'FS-Timestamp');
  if (timestamp === undefined) return { ok: false, reason: 'missing-timestamp', message: 'FS-Timestamp header is missing.' };
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'bad-timestamp', message: `FS-Timestamp is not Unix seconds: ${timestamp}` };
  }
  const tolerance = opts.toleranceSeconds ?? 300;
  if (Math.abs(opts.now - Number(timestamp)) > tolerance) {
    return { ok: false, reason: 'replay', message: `FS-Timestamp ${timestamp} is more than ${tolerance}s away from now (${opts.now}).` };
  }
  const expected = Buffer.from(signWebhook(opts.secret, opts.rawBody, timestamp), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  // timingSafeEqual needs equal lengths; a wrong-length header is a mismatch, not a crash.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch', message: 'FS-Signature does not match the body.' };
  }
  return { ok: true };
}
