import { describe, expect, it } from 'vitest';
import type { Policy, PolicyRequest } from '../../src-shared/filestack/policy.js';
import { checkPolicy, parsePolicy } from '../../src-shared/filestack/policy.js';

const NOW = 1_700_000_000;
const base: Policy = { expiry: NOW + 60 };

describe('parsePolicy', () => {
  it('accepts the spec fields and a single-string call', () => {
    expect(parsePolicy({ expiry: NOW, call: 'read', handle: 'h', maxSize: 10 })).toEqual({ expiry: NOW, call: 'read', handle: 'h', maxSize: 10 });
  });
  it('maps the Java SDK `calls` to `call`', () => {
    expect(parsePolicy({ expiry: NOW, calls: ['pick'] })).toEqual({ expiry: NOW, call: ['pick'] });
  });
  it.each([
    ['missing expiry', { call: ['read'] }],
    ['fractional expiry', { expiry: 1.5 }],
    ['string expiry', { expiry: '1700000000' }],
    ['unknown call', { expiry: NOW, call: ['fly'] }],
    ['negative maxSize', { expiry: NOW, maxSize: -1 }],
    ['not an object', ['expiry']],
  ])('rejects %s', (_label, raw) => {
    expect(parsePolicy(raw)).toBeNull();
  });
});

describe('checkPolicy', () => {
  const table: [string, Policy, Omit<PolicyRequest, 'now'>, string | null][] = [
    ['valid read', { ...base, call: ['read'] }, { call: 'read' }, null],
    ['expiry equal to now is expired', { expiry: NOW }, { call: 'read' }, 'expired'],
    ['expired one second ago', { expiry: NOW - 1, call: ['read'] }, { call: 'read' }, 'expired'],
    ['wrong call', { ...base, call: ['read'] }, { call: 'remove' }, 'call'],
    ['single-string call', { ...base, call: 'pick' }, { call: 'pick' }, null],
    ['no call allows store', base, { call: 'store' }, null],
    ['no call refuses exif', base, { call: 'exif' }, 'call'],
    ['explicit exif', { ...base, call: ['exif'] }, { call: 'exif' }, null],
    ['wrong handle', { ...base, handle: 'AAAAAAAAAAAAAAAAAAAA' }, { call: 'read', handle: 'BBBBBBBBBBBBBBBBBBBB' }, 'handle'],
    ['right handle', { ...base, handle: 'AAAAAAAAAAAAAAAAAAAA' }, { call: 'read', handle: 'AAAAAAAAAAAAAAAAAAAA' }, null],
    ['size at maxSize (inclusive)', { ...base, maxSize: 100 }, { call: 'pick', size: 100 }, null],
    ['over maxSize', { ...base, maxSize: 100 }, { call: 'pick', size: 101 }, 'size'],
    ['at minSize (inclusive)', { ...base, minSize: 10 }, { call: 'pick', size: 10 }, null],
    ['under minSize', { ...base, minSize: 10 }, { call: 'pick', size: 9 }, 'size'],
    ['path matches', { ...base, path: '/uploads/.*' }, { call: 'store', path: '/uploads/a.jpg' }, null],
    ['path outside', { ...base, path: '/uploads/.*' }, { call: 'store', path: '/etc/a.jpg' }, 'path'],
    ['path regex is anchored', { ...base, path: 'uploads' }, { call: 'store', path: '/x/uploads/y' }, 'path'],
    ['container matches', { ...base, container: 'bucket-(a|b)' }, { call: 'store', container: 'bucket-b' }, null],
    ['container differs', { ...base, container: 'bucket-(a|b)' }, { call: 'store', container: 'bucket-c' }, 'container'],
    ['url matches', { ...base, url: 'https://example\\.com/.*' }, { call: 'convert', url: 'https://example.com/a.png' }, null],
    ['url smuggled in query', { ...base, url: 'https://example\\.com/.*' }, { call: 'convert', url: 'https://evil.test/?https://example.com/' }, 'url'],
    ['invalid url regex denies', { ...base, url: '(' }, { call: 'convert', url: 'https://a' }, 'url'],
    ['regex rules skip absent facts', { ...base, path: 'x' }, { call: 'read' }, null],
  ];
  it.each(table)('%s', (_label, policy, req, reason) => {
    const result = checkPolicy(policy, { ...req, now: NOW });
    if (reason === null) expect(result).toEqual({ ok: true });
    else {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toBe(reason);
        expect(result.message.length).toBeGreaterThan(10);
      }
    }
  });
});
