import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecurity, encodePolicy, signPolicy, verifySecurity } from '../../src-main/protocol/filestack/signing.js';

// {"expiry":1700000000,"call":["read"]} is 37 bytes → 13 base64 groups, the last holding one
// byte, so two `=`. The first group `{"e` = 7b 22 65 → 011110 110010 001001 100101 → e y J l.
const POLICY = { expiry: 1_700_000_000, call: ['read' as const] };
const ENCODED = 'eyJleHBpcnkiOjE3MDAwMDAwMDAsImNhbGwiOlsicmVhZCJdfQ==';
// Computed with Python's hmac module (an independent implementation), key "secret".
const SIGNATURE = 'b91ae88ba97f5274e789cc01d2cabd64bd3acac8c34e63a037c21fb644feafdb';
// A policy whose JSON bytes hit base64 index 62/63 (`?>`), so the two alphabets differ.
const ALPHA_POLICY = { expiry: 1_700_000_000, handle: 'a?>b' };
const ALPHA_STD = 'eyJleHBpcnkiOjE3MDAwMDAwMDAsImhhbmRsZSI6ImE/PmIifQ==';
const ALPHA_URL = 'eyJleHBpcnkiOjE3MDAwMDAwMDAsImhhbmRsZSI6ImE_PmIifQ==';

describe('policy encoding and signing', () => {
  it('uses an HMAC-SHA256 that matches RFC 4231 test case 2', () => {
    const mac = createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex');
    expect(mac).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(signPolicy('what do ya want for nothing?', 'Jefe')).toBe(mac);
  });

  it('encodes the fixed policy literally, padding kept', () => {
    expect(encodePolicy(POLICY)).toBe(ENCODED);
    expect(encodePolicy(POLICY, { alphabet: 'standard' })).toBe(ENCODED);
  });

  it('uses the URL-safe alphabet by default and the standard one on request', () => {
    expect(encodePolicy(ALPHA_POLICY)).toBe(ALPHA_URL);
    expect(encodePolicy(ALPHA_POLICY, { alphabet: 'standard' })).toBe(ALPHA_STD);
  });

  it('signs the encoded string as lowercase hex', () => {
    expect(signPolicy(ENCODED, 'secret')).toBe(SIGNATURE);
    expect(createSecurity(POLICY, 'secret')).toEqual({ policy: ENCODED, signature: SIGNATURE });
    expect(signPolicy(ALPHA_URL, 'secret')).toBe('2b9b7beae50f590e0679d53e86cd1d1559cbded0d903f17b756316565c8a1319');
    expect(signPolicy(ALPHA_STD, 'secret')).toBe('0c090676d7710fec11bd8c5e4015336517092e4492a912b4cd5483392873e9ac');
  });
});

describe('verifySecurity', () => {
  it('accepts a good pair and returns the policy', () => {
    expect(verifySecurity(ENCODED, SIGNATURE, 'secret')).toEqual({ ok: true, policy: POLICY });
  });

  it.each([
    ['url-safe', ALPHA_URL],
    ['standard', ALPHA_STD],
    ['url-safe, no padding', ALPHA_URL.replace(/=+$/, '')],
    ['standard, no padding', ALPHA_STD.replace(/=+$/, '')],
  ])('accepts the %s alphabet signed as received', (_label, encoded) => {
    const result = verifySecurity(encoded, signPolicy(encoded, 's3cr3t'), 's3cr3t');
    expect(result).toEqual({ ok: true, policy: ALPHA_POLICY });
  });

  it('accepts an upper-case hex signature', () => {
    expect(verifySecurity(ENCODED, SIGNATURE.toUpperCase(), 'secret').ok).toBe(true);
  });

  it('rejects a tampered policy, a tampered signature and the wrong secret', () => {
    const tampered = encodePolicy({ expiry: 1_700_000_000, call: ['remove'] });
    expect(verifySecurity(tampered, SIGNATURE, 'secret')).toEqual({ ok: false, reason: 'signature' });
    // A policy re-padded differently is a different string: the signature covers the exact text.
    expect(verifySecurity(ENCODED.replace(/=+$/, ''), SIGNATURE, 'secret')).toEqual({ ok: false, reason: 'signature' });
    const flipped = (SIGNATURE.startsWith('b') ? 'c' : 'b') + SIGNATURE.slice(1);
    expect(verifySecurity(ENCODED, flipped, 'secret')).toEqual({ ok: false, reason: 'signature' });
    expect(verifySecurity(ENCODED, SIGNATURE, 'other')).toEqual({ ok: false, reason: 'signature' });
    expect(verifySecurity(ENCODED, SIGNATURE.slice(2), 'secret')).toEqual({ ok: false, reason: 'signature' });
    expect(verifySecurity(ENCODED, 'z'.repeat(64), 'secret')).toEqual({ ok: false, reason: 'signature' });
  });

  it('reports a correctly signed but malformed policy as malformed', () => {
    for (const encoded of ['not*base64', Buffer.from('{"expiry":').toString('base64'), Buffer.from('{"call":["read"]}').toString('base64'), Buffer.from([0xff, 0xfe]).toString('base64')]) {
      expect(verifySecurity(encoded, signPolicy(encoded, 'k'), 'k')).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
