import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appError, codeForStatus, ERROR_CODES, fail, FerryError, isAppError, ok, toAppError } from '../../src-shared/errors.js';
import { formatBytes } from '../../src-shared/format-bytes.js';
import { dispatchIn } from '../../src-shared/ipc/dispatch.js';
import { formatDuration } from '../../src-shared/units.js';

// The pure core's small rules, pinned value by value: `npm run mutate` showed these were only
// reached through larger tests that did not look at the exact text or code.

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [1024 * 1024 - 1, '1024.0 KB'],
    [1024 * 1024, '1.0 MB'],
    [5.25 * 1024 ** 3, '5.3 GB'],
    [1024 ** 4, '1.0 TB'],
    // TB is the last unit: a petabyte is shown as 1024 TB, not as an undefined unit.
    [1024 ** 5, '1024.0 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%d → %s', (bytes, want) => {
    expect(formatBytes(bytes)).toBe(want);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [-5, '0s'],
    [0, '0s'],
    [59.4, '59s'],
    [59.6, '1m 00s'],
    [60, '1m 00s'],
    [65, '1m 05s'],
    [3599, '59m 59s'],
    [3600, '1h 00m'],
    [3720, '1h 02m'],
  ])('%d s → %s', (seconds, want) => {
    expect(formatDuration(seconds)).toBe(want);
  });
});

describe('errors as data', () => {
  it('retryable defaults from the code and can be overridden', () => {
    const retryable = ERROR_CODES.filter((c) => appError(c, 'x').retryable);
    expect(retryable).toEqual(['rate_limited', 'server_error', 'network', 'timeout', 'stalled', 'protocol']);
    expect(appError('network', 'x', { retryable: false }).retryable).toBe(false);
    expect(appError('internal', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('details are kept only when given', () => {
    expect(appError('not_found', 'gone', { details: { status: 404 } })).toEqual({
      code: 'not_found',
      message: 'gone',
      retryable: false,
      details: { status: 404 },
    });
    expect(Object.keys(appError('not_found', 'gone'))).toEqual(['code', 'message', 'retryable']);
  });

  it('isAppError accepts the shape and refuses each missing or wrong field', () => {
    expect(isAppError({ code: 'network', message: 'm', retryable: true })).toBe(true);
    expect(isAppError(null)).toBe(false);
    expect(isAppError('network')).toBe(false);
    expect(isAppError({ code: 'nope', message: 'm', retryable: true })).toBe(false);
    expect(isAppError({ code: 7, message: 'm', retryable: true })).toBe(false);
    expect(isAppError({ code: 'network', message: 1, retryable: true })).toBe(false);
    expect(isAppError({ code: 'network', message: 'm', retryable: 'yes' })).toBe(false);
  });

  it('toAppError keeps carried errors, names cancels and wraps the rest as internal', () => {
    const carried = appError('forbidden', 'no');
    expect(toAppError(new FerryError(carried))).toBe(carried);
    expect(new FerryError(carried)).toMatchObject({ name: 'FerryError', message: 'no' });
    expect(toAppError(carried)).toBe(carried);
    const abort = Object.assign(new Error('stop'), { name: 'AbortError' });
    expect(toAppError(abort)).toEqual({ code: 'aborted', message: 'The operation was canceled.', retryable: false });
    expect(toAppError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom', retryable: false });
    expect(toAppError('plain')).toMatchObject({ code: 'internal', message: 'plain' });
    expect(toAppError(new Error(''))).toMatchObject({ code: 'internal', message: 'Unexpected error.' });
  });

  it.each<[number, string]>([
    [400, 'bad_request'],
    [422, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [413, 'payload_too_large'],
    [429, 'rate_limited'],
    [207, 'partial_success'],
    [501, 'unsupported'],
    [500, 'server_error'],
    [503, 'server_error'],
    [499, 'protocol'],
    [200, 'protocol'],
  ])('HTTP %d → %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });

  it('ok and fail build the reply envelope', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail(appError('internal', 'x'))).toEqual({ ok: false, error: { code: 'internal', message: 'x', retryable: false } });
  });
});

describe('dispatchIn', () => {
  const map = { echo: { request: z.object({ a: z.number(), b: z.string(), c: z.boolean(), d: z.number() }) } } as const;
  const handlers = { echo: (req: never) => req };

  it('runs the handler with the parsed payload', async () => {
    await expect(dispatchIn(map, handlers, 'echo', { a: 1, b: 'x', c: true, d: 2 })).resolves.toEqual({
      ok: true,
      value: { a: 1, b: 'x', c: true, d: 2 },
    });
  });

  it('refuses unknown and inherited channel names, describing them in at most 64 characters', async () => {
    const unknown = await dispatchIn(map, handlers, 'nope', {});
    expect(unknown).toEqual(fail(appError('bad_request', 'Unknown channel: nope')));
    // An Object.prototype key is not a channel, even though `in` would say so.
    expect(await dispatchIn(map, handlers, 'toString', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await dispatchIn(map, handlers, 42, {})).toEqual(fail(appError('bad_request', 'Unknown channel: number')));
    const long = await dispatchIn(map, handlers, 'x'.repeat(100), {});
    expect(long.ok ? '' : long.error.message).toBe(`Unknown channel: ${'x'.repeat(64)}…`);
    const exact = await dispatchIn(map, handlers, 'y'.repeat(64), {});
    expect(exact.ok ? '' : exact.error.message).toBe(`Unknown channel: ${'y'.repeat(64)}`);
  });

  it('names at most three schema issues with their paths', async () => {
    const bad = await dispatchIn(map, handlers, 'echo', { a: 'x', b: 1, c: 1, d: 'x' });
    expect(bad.ok).toBe(false);
    const message = bad.ok ? '' : bad.error.message;
    expect(message.startsWith('Invalid payload for echo: a: ')).toBe(true);
    expect(message.split('; ').map((issue) => issue.split(':')[0])).toEqual(['Invalid payload for echo', 'b', 'c']);
    expect(message).not.toContain('d:');
    const root = await dispatchIn(map, handlers, 'echo', 'not an object');
    expect(root.ok ? '' : root.error.message).toMatch(/^Invalid payload for echo: \(root\): /);
  });

  it('turns a throwing handler into data', async () => {
    const throwing = { echo: () => { throw new FerryError(appError('conflict', 'taken')); } };
    await expect(dispatchIn(map, throwing, 'echo', { a: 1, b: 'x', c: true, d: 2 })).resolves.toEqual(fail(appError('conflict', 'taken')));
  });
});
