import { describe, expect, it } from 'vitest';
import { appError } from '../../src-shared/errors.js';
import { classifyFailure, isAuthError, retryAfterOf } from '../../src-main/engine/classify.js';

// What an attempt's throw becomes decides whether the engine retries: each rule pinned by its
// code, message and retryable flag (`npm run mutate` found them reached only indirectly).
const errno = (code: string): Error => Object.assign(new Error(`${code}: boom`), { code });
const fetchFailed = (cause?: object): TypeError => Object.assign(new TypeError('fetch failed'), cause ? { cause } : {});

describe('classifyFailure', () => {
  it.each<[string, string, string]>([
    ['EACCES', 'permission', 'Cannot read the file (EACCES).'],
    ['EPERM', 'permission', 'Cannot read the file (EPERM).'],
    ['ENOENT', 'not_found', 'The file no longer exists.'],
    ['EISDIR', 'not_a_file', 'The path is not a regular file.'],
  ])('a local %s is %s and not retried', (code, want, message) => {
    expect(classifyFailure(errno(code))).toEqual({ code: want, message, retryable: false });
  });

  it('an undici "fetch failed" is a retryable network error naming the host and errno', () => {
    expect(classifyFailure(fetchFailed({ code: 'ECONNREFUSED', hostname: 'up.example' }))).toEqual({
      code: 'network',
      message: "Can't reach up.example: connection refused (ECONNREFUSED).",
      retryable: true,
      details: { errno: 'ECONNREFUSED' },
    });
    expect(classifyFailure(fetchFailed({ code: 'ECONNREFUSED', address: '10.0.0.9' })).message).toContain('10.0.0.9');
    expect(classifyFailure(fetchFailed({ hostname: 7, address: 8 }))).toEqual({ code: 'network', message: "Can't reach the upload service.", retryable: true });
    expect(classifyFailure(fetchFailed())).toEqual({ code: 'network', message: "Can't reach the upload service.", retryable: true });
  });

  it('other TypeErrors and unknown errno codes are not network errors', () => {
    expect(classifyFailure(new TypeError('x is not a function'))).toMatchObject({ code: 'internal', message: 'x is not a function' });
    expect(classifyFailure(Object.assign(new Error('fetch failed'), { code: 'EOTHER' }))).toMatchObject({ code: 'internal' });
    expect(classifyFailure(appError('rate_limited', 'slow down'))).toEqual(appError('rate_limited', 'slow down'));
  });
});

describe('isAuthError', () => {
  it('is true for refused credentials only', () => {
    expect(isAuthError(appError('unauthorized', 'x'))).toBe(true);
    expect(isAuthError(appError('forbidden', 'x'))).toBe(true);
    expect(isAuthError(appError('not_found', 'x'))).toBe(false);
    expect(isAuthError(appError('rate_limited', 'x'))).toBe(false);
  });
});

describe('retryAfterOf', () => {
  it.each<[unknown, number | null]>([
    [1500, 1500],
    [0, 0],
    [-1, null],
    [Number.POSITIVE_INFINITY, null],
    [Number.NaN, null],
    ['1500', null],
    [undefined, null],
  ])('retryAfterMs %j → %j', (value, want) => {
    const details = value === undefined ? undefined : { retryAfterMs: value as number };
    expect(retryAfterOf(appError('rate_limited', 'x', details ? { details } : {}))).toBe(want);
  });
});
