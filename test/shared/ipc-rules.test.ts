/**
 * The contract's path rules and channel lookup: a stored path must be absolute (POSIX or a
 * Windows drive) and NUL-free; a typed path may be anything the host will judge in words, but
 * not NUL; `isChannel` knows the map's own names only (not `toString` from its prototype).
 */
import { describe, expect, it } from 'vitest';
import { afterUploadSchema, channels, isChannel, watchFolderSchema } from '../../src-shared/ipc/channels.js';
import { BATCH_ID_PATTERN } from '../../src-shared/ipc/file-stream.js';
import { wireCallSchema } from '../../src-shared/ipc/wire.js';

describe('absolute paths (after-upload move target, watch folder)', () => {
  const move = (to: string): boolean => afterUploadSchema.safeParse({ kind: 'move', to }).success;
  it.each([
    ['/home/me/done', true],
    ['/', true],
    ['C:\\Users\\me', true],
    ['d:/done', true],
    ['relative/done', false],
    ['~/done', false],
    ['C:done', false],
    ['CD:\\x', false],
    ['1:\\x', false],
    ['\\\\server\\share', false],
    ['/home/me\0/x', false],
    ['C:\\a\0', false],
    ['', false],
  ])('%j → %s', (to, ok) => {
    expect(move(to)).toBe(ok);
  });

  it('holds for a watch folder’s own path too', () => {
    const folder = watchFolderSchema.safeParse({ id: 'w1', path: 'relative', enabled: true });
    expect(folder.success).toBe(false);
    if (!folder.success) expect(folder.error.issues.map((i) => i.message)).toContain('must be an absolute path');
  });
});

describe('typed paths (watch:add)', () => {
  const add = channels['watch:add'].request;
  it('takes what the person typed, relative or with ~, and refuses only a NUL', () => {
    expect(add.safeParse({ path: '~/Pictures' }).success).toBe(true);
    expect(add.safeParse({ path: 'relative' }).success).toBe(true);
    const nul = add.safeParse({ path: '/a\0b' });
    expect(nul.success).toBe(false);
    if (!nul.success) expect(nul.error.issues.map((i) => i.message)).toContain('must not contain NUL');
    expect(add.safeParse({ path: '/a', afterUpload: { kind: 'move', to: 'x\0' } }).success).toBe(false);
    expect(add.safeParse({ path: '/a', afterUpload: { kind: 'move', to: '~/done' } }).success).toBe(true);
  });
});

describe('isChannel', () => {
  it('knows the declared channels and nothing else', () => {
    expect(isChannel('jobs:list')).toBe(true);
    expect(isChannel('settings:set')).toBe(true);
    for (const name of ['jobs:nope', '', 'toString', '__proto__', 'constructor', 42, null, undefined, { toString: () => 'jobs:list' }]) {
      expect(isChannel(name)).toBe(false);
    }
  });
});

describe('BATCH_ID_PATTERN', () => {
  it('takes 8 to 64 URL-safe characters', () => {
    for (const id of ['abcdEF12', 'a_b-c_d-', 'x'.repeat(64)]) expect(BATCH_ID_PATTERN.test(id)).toBe(true);
    for (const id of ['abcdEF1', 'x'.repeat(65), 'abcd ef12', 'abcdef12/', '../abcdef', 'abcdéf12']) expect(BATCH_ID_PATTERN.test(id)).toBe(false);
  });
});

describe('the WebSocket call envelope', () => {
  const call = { t: 'call', id: 0, channel: 'jobs:list', payload: {} };
  it('takes a call with a whole, non-negative id and a short channel name; the payload is judged later', () => {
    expect(wireCallSchema.parse(call)).toEqual(call);
    expect(wireCallSchema.safeParse({ ...call, payload: 'anything' }).success).toBe(true);
    expect(wireCallSchema.safeParse({ ...call, channel: 'x'.repeat(64) }).success).toBe(true);
  });

  it.each([
    ['another type', { ...call, t: 'reply' }],
    ['a negative id', { ...call, id: -1 }],
    ['a fractional id', { ...call, id: 1.5 }],
    ['a long channel name', { ...call, channel: 'x'.repeat(65) }],
    ['an extra key', { ...call, extra: 1 }],
  ])('refuses %s', (_name, message) => {
    expect(wireCallSchema.safeParse(message).success).toBe(false);
  });
});
