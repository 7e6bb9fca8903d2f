/**
 * ImageKit HTTP errors ↔ Ferry AppError (spec §7). The client maps any non-2xx answer with
 * {@link toImageKitError}; the local cloud builds its bodies with {@link imagekitErrorBody} so
 * both sides speak the same `{message, help}` shape.
 */
import { appError, type AppError, type ErrorCode } from '../../../src-shared/errors.js';

/** The `help` text every ImageKit error body carries (note the space before the period). */
export const IMAGEKIT_HELP = 'For support kindly contact us at support@imagekit.io .';

/** Response headers in either fetch (`Headers`) or Node (`IncomingHttpHeaders`) form. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>> | undefined;

/** Standard ImageKit error body: `{message, help, ...extra}` (extra: `reason`, `missingFileIds`). */
export function imagekitErrorBody(
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
): { message: string; help: string } & Record<string, unknown> {
  return { message, help: IMAGEKIT_HELP, ...extra };
}

/** Case-insensitive single header lookup. */
function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    return typeof v === 'string' ? v : v[0];
  }
  return undefined;
}

const intHeader = (headers: HeaderSource, name: string): number | undefined => {
  const v = header(headers, name);
  return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
};

/** Status → code. Unlike the generic table, 422 stays bad_request and other 4xx are protocol. */
function codeFor(status: number): ErrorCode {
  const table: Record<number, ErrorCode> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'payload_too_large',
    422: 'bad_request',
    429: 'rate_limited',
    207: 'partial_success',
  };
  return table[status] ?? (status >= 500 ? 'server_error' : 'protocol');
}

/** How long a 429 asks us to wait: `retry-after-ms`, `retry-after` (seconds), else X-RateLimit-Reset (ms). */
function retryAfterMs(headers: HeaderSource): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.round(Number(ms));
  const s = header(headers, 'retry-after');
  if (s !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(s)) return Math.round(Number(s) * 1000);
  return intHeader(headers, 'x-ratelimit-reset');
}

/**
 * Maps an ImageKit error response to an AppError. `message` is the body's `message` (a string
 * body is treated as help text, as v6 does); details carry `status`, `help`, `reason`,
 * `missingFileIds` (comma-joined, since details stay flat), and on 429 the X-RateLimit-* values
 * plus `retryAfterMs` for the engine's backoff.
 */
export function toImageKitError(status: number, body: unknown, headers?: HeaderSource): AppError {
  const obj = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const help = typeof obj.help === 'string' ? obj.help : typeof body === 'string' && body.trim() !== '' ? body.trim() : undefined;
  const message = typeof obj.message === 'string' && obj.message !== '' ? obj.message : `ImageKit answered HTTP ${status}.`;
  const details: Record<string, string | number | boolean | null> = { status };
  if (help !== undefined) details.help = help;
  if (typeof obj.reason === 'string') details.reason = obj.reason;
  if (Array.isArray(obj.missingFileIds)) details.missingFileIds = obj.missingFileIds.map(String).join(',');
  const requestId = header(headers, 'x-request-id') ?? header(headers, 'x-ik-requestid');
  if (requestId !== undefined) details.requestId = requestId;
  if (status === 429) {
    const limits = { rateLimitLimit: 'x-ratelimit-limit', rateLimitReset: 'x-ratelimit-reset', rateLimitInterval: 'x-ratelimit-interval' };
    for (const [key, name] of Object.entries(limits)) {
      const v = intHeader(headers, name);
      if (v !== undefined) details[key] = v;
    }
    const wait = retryAfterMs(headers);
    if (wait !== undefined) details.retryAfterMs = wait;
  }
  return appError(codeFor(status), message, { details });
}
