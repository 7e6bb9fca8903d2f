import { describe, expect, it } from 'vitest';
import { PHASH_INVALID, PHASH_MISSING, PHASH_UNEQUAL, pHashDistance } from '../../src-shared/imagekit/phash.js';

describe('pHashDistance', () => {
  it.each([
    ['33699c96619cc69e', '968e978414fe04ea', 30],
    ['63433b3ccf8e1ebe', 'f5d2226cd9d32b16', 27],
    ['2d5ad3936d2e015b', '2d6ed293db36a4fb', 17],
    ['a4a65595ac94518b', '7838873e791f8400', 37],
    ['f06830ca9f1e3e90', 'f06830ca9f1e3e90', 0],
    ['F06830CA9F1E3E90', 'f06830ca9f1e3e90', 0],
    ['0000000000000000', 'ffffffffffffffff', 64],
  ])('%s vs %s → %i', (a, b, distance) => {
    expect(pHashDistance(a, b)).toEqual({ ok: true, distance });
    expect(pHashDistance(b, a)).toEqual({ ok: true, distance });
  });

  it('accepts a number by its decimal rendering (v6)', () => {
    expect(pHashDistance(2222222222222222, 'f06830ca9f1e3e90')).toEqual({ ok: true, distance: 30 });
  });

  it('checks missing, then invalid hex, then length, with the v6 messages', () => {
    expect(PHASH_MISSING).toBe('Missing pHash value: Please pass two pHash values');
    expect(PHASH_INVALID).toBe('Invalid pHash value: Both pHash strings must be valid hexadecimal numbers');
    expect(PHASH_UNEQUAL).toBe('Unequal pHash string length: For distance calucation, the two pHash strings must have equal length');
    expect(pHashDistance('', 'ab')).toEqual({ ok: false, message: PHASH_MISSING });
    expect(pHashDistance(undefined, 'zz')).toEqual({ ok: false, message: PHASH_MISSING });
    expect(pHashDistance('zz', 'a')).toEqual({ ok: false, message: PHASH_INVALID });
    expect(pHashDistance('0x12', '0012')).toEqual({ ok: false, message: PHASH_INVALID });
    expect(pHashDistance('f06830ca9f1e3e90', '42')).toEqual({ ok: false, message: PHASH_UNEQUAL });
  });

  it('counts every bit of a nibble on its own', () => {
    for (const [hex, bits] of [['1', 1], ['2', 1], ['4', 1], ['8', 1], ['3', 2], ['7', 3], ['f', 4], ['F', 4], ['0', 0]] as const) {
      expect(pHashDistance(`0${hex}`, '00')).toEqual({ ok: true, distance: bits });
    }
  });

  it('checks the whole string is hex, on either side', () => {
    for (const [a, b] of [['12zz', '1234'], ['zz12', '1234'], ['1234', '12 4'], ['1234', '-123'], ['12\n', '1234']]) {
      expect(pHashDistance(a, b)).toEqual({ ok: false, message: PHASH_INVALID });
    }
    // 0 and null are missing, like an empty string (v6 checks falsiness first).
    expect(pHashDistance(0, 'ab')).toEqual({ ok: false, message: PHASH_MISSING });
    expect(pHashDistance('ab', null)).toEqual({ ok: false, message: PHASH_MISSING });
    expect(pHashDistance('ab', '')).toEqual({ ok: false, message: PHASH_MISSING });
  });
});
