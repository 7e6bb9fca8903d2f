import { describe, expect, it } from 'vitest';
import { appError } from '../../src-shared/errors.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, type RetryPolicy } from '../../src-main/engine/retry.js';

const transient = appError('server_error', 'HTTP 503');
const fatal = appError('unauthorized', 'HTTP 401');
const noJitter: RetryPolicy = { maxRetries: 8, baseDelayMs: 1000, maxDelayMs: 30_000, jitter: 0 };
const zero = (): number => 0;
const one = (): number => 1;

describe('retryDelay', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 16_000],
    [6, 30_000], // 32 s capped
    [7, 30_000],
    [8, 30_000],
  ])('attempt %i without jitter waits %i ms (exponential, capped)', (attempt, expected) => {
    expect(retryDelay(attempt, transient, noJitter, null, zero)).toBe(expected);
  });

  it('never exceeds maxDelayMs even for huge attempt numbers', () => {
    const policy: RetryPolicy = { ...noJitter, maxRetries: 10_000 };
    expect(retryDelay(2000, transient, policy, null, zero)).toBe(30_000);
  });

  it.each([
    [1, 1000, 500],
    [3, 4000, 2000],
    [6, 30_000, 15_000],
  ])('jitter 0.5 at attempt %i stays within [%i .. %i] for random 0 and 1', (attempt, upper, lower) => {
    const policy = DEFAULT_RETRY_POLICY; // jitter 0.5
    expect(retryDelay(attempt, transient, policy, null, zero)).toBe(upper);
    expect(retryDelay(attempt, transient, policy, null, one)).toBe(lower);
    const mid = retryDelay(attempt, transient, policy, null, () => 0.5);
    expect(mid).toBeGreaterThan(lower);
    expect(mid).toBeLessThan(upper);
  });

  it('full jitter (1) can go down to zero', () => {
    expect(retryDelay(3, transient, { ...noJitter, jitter: 1 }, null, one)).toBe(0);
  });

  it('returns null for a non-retryable error, even with a Retry-After', () => {
    expect(retryDelay(1, fatal, noJitter, null, zero)).toBeNull();
    expect(retryDelay(1, fatal, noJitter, 3000, zero)).toBeNull();
  });

  it('honours an explicit retryable override on the error', () => {
    expect(retryDelay(1, appError('unauthorized', 'x', { retryable: true }), noJitter, null, zero)).toBe(1000);
    expect(retryDelay(1, appError('server_error', 'x', { retryable: false }), noJitter, null, zero)).toBeNull();
  });

  it('returns null once the budget is spent', () => {
    const policy: RetryPolicy = { ...noJitter, maxRetries: 3 };
    expect(retryDelay(3, transient, policy, null, zero)).toBe(4000);
    expect(retryDelay(4, transient, policy, null, zero)).toBeNull();
    expect(retryDelay(1, transient, { ...noJitter, maxRetries: 0 }, null, zero)).toBeNull();
  });

  it('lets Retry-After win when it is longer than the backoff', () => {
    expect(retryDelay(1, transient, noJitter, 3000, zero)).toBe(3000);
    expect(retryDelay(1, appError('rate_limited', '429'), DEFAULT_RETRY_POLICY, 3000, one)).toBe(3000);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(retryDelay(4, transient, noJitter, 3000, zero)).toBe(8000);
    expect(retryDelay(2, transient, noJitter, 0, zero)).toBe(2000);
  });

  it('returns whole milliseconds', () => {
    const d = retryDelay(1, transient, { ...noJitter, jitter: 0.3 }, null, () => 0.123456);
    expect(Number.isInteger(d)).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 15, 12, 0, 0);

  it.each([
    ['3', 3000],
    ['0', 0],
    ['120', 120_000],
    [' 3 ', 3000],
    ['1.5', 1500],
    ['0.25', 250],
  ])('delta-seconds %j → %i ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('parses an IMF-fixdate 3 s ahead as ~3000 ms', () => {
    const header = new Date(now + 3000).toUTCString();
    expect(parseRetryAfter(header, now)).toBe(3000);
  });

  it('parses the obsolete RFC 850 and asctime date forms', () => {
    const at = Date.UTC(2025, 0, 15, 12, 0, 5);
    expect(parseRetryAfter('Wednesday, 15-Jan-25 12:00:05 GMT', now)).toBe(at - now);
    expect(parseRetryAfter('Wed Jan 15 12:00:05 2025', now)).toBe(at - now);
  });

  it('clamps a past date to 0', () => {
    expect(parseRetryAfter(new Date(now - 60_000).toUTCString(), now)).toBe(0);
  });

  it.each([['soon'], ['-1'], ['-5'], ['1.'], ['.5'], ['3 seconds'], ['x 2020'], ['soon 5'], ['0x10'], ['1e3'], ['Infinity']])(
    'garbage %j → null',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeNull();
    },
  );

  it.each([[''], ['   '], [null], [undefined]])('empty or absent %j → null', (header) => {
    expect(parseRetryAfter(header, now)).toBeNull();
  });
});
