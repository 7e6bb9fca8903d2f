import type { AppError } from '../../src-shared/errors.js';

/** Retry budget and backoff shape. Times in milliseconds. */
export type RetryPolicy = {
  /** Attempts after the first; 0 disables retrying. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of the delay randomised away (0..1); full jitter at 1. */
  readonly jitter: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 8, baseDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 };

/**
 * The one retry-delay function: capped exponential backoff with jitter, honouring a server's
 * Retry-After (which wins when longer, because retrying earlier only earns another 429).
 * Returns null when the error is not retryable or the budget is spent. `random` is injected so
 * tests are deterministic.
 */
export function retryDelay(
  attempt: number,
  error: AppError,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number | null {
  if (!error.retryable || attempt > policy.maxRetries) return null;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp * (1 - policy.jitter * random());
  const delay = retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered;
  return Math.round(delay);
}

const HTTP_DATE_SHAPE = /^(?=.*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b)(?=.*\b\d{2}:\d{2}:\d{2}\b)/i;

/**
 * Parses an HTTP Retry-After header (delta-seconds or HTTP-date) into milliseconds from `now`.
 * Returns null when absent or unparseable; past dates give 0.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // V8's Date.parse is lenient ("-1", "soon 5" and "x 2020" parse as dates), so only hand it
  // values shaped like one of the three HTTP-date forms: a month name and an hh:mm:ss time.
  if (!HTTP_DATE_SHAPE.test(value)) return null;
  // asctime dates carry no zone and HTTP dates are always GMT; Date.parse would read local time.
  const date = Date.parse(/\b(?:GMT|UTC)\b/i.test(value) ? value : `${value} GMT`);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
