import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  INVALID_EXPIRE_MESSAGE,
  getAuthenticationParameters,
  verifyClientUpload,
} from '../../src-main/protocol/imagekit/auth-params.js';

const KEY = 'private_key_test';
const NOW = 1_582_268_000;

describe('getAuthenticationParameters', () => {
  it('reproduces the SDK test vector', () => {
    expect(getAuthenticationParameters(KEY, 'your_token', 1582269249)).toEqual({
      token: 'your_token',
      expire: 1582269249,
      signature: 'e71bcd6031016b060d349d212e23e85c791decdd',
    });
  });

  it('defaults to a UUID v4 token and now + 1800', () => {
    const p = getAuthenticationParameters(KEY, undefined, undefined, NOW + 0.9);
    expect(p.token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.expire).toBe(NOW + 1800);
    expect(p.signature).toBe(createHmac('sha1', KEY).update(`${p.token}${p.expire}`).digest('hex'));
    expect(getAuthenticationParameters(KEY).token).not.toBe(p.token);
  });
});

describe('verifyClientUpload', () => {
  const fresh = (expire = NOW + 600, token = 'tok-1') => ({ ...getAuthenticationParameters(KEY, token, expire), privateKey: KEY, now: NOW });

  it('accepts a valid triple once, then refuses the reused token with the §2.4 text', () => {
    const seen = new Set<string>();
    const p = fresh();
    expect(verifyClientUpload({ ...p, expire: String(p.expire), seenTokens: seen })).toEqual({ ok: true });
    expect(verifyClientUpload({ ...p, seenTokens: seen })).toEqual({
      ok: false,
      reason: 'token-reused',
      message: "The token with value 'tok-1' has been used before. We suggest using V4 UUIDs, or another random string with enough entropy to avoid collisions.",
    });
  });

  it.each([
    ['in the past', NOW - 1],
    ['more than an hour ahead', NOW + 3601],
  ])('refuses an expire %s with the quoted 400 text', (_n, expire) => {
    expect(verifyClientUpload({ ...fresh(expire), seenTokens: new Set() })).toEqual({ ok: false, reason: 'expire', message: INVALID_EXPIRE_MESSAGE });
  });

  it('accepts the edges of the window (now and now + 3600)', () => {
    expect(verifyClientUpload({ ...fresh(NOW, 'a'), seenTokens: new Set() }).ok).toBe(true);
    expect(verifyClientUpload({ ...fresh(NOW + 3600, 'b'), seenTokens: new Set() }).ok).toBe(true);
  });

  it('refuses a bad signature without remembering the token', () => {
    const seen = new Set<string>();
    const p = fresh();
    expect(verifyClientUpload({ ...p, signature: 'f'.repeat(40), seenTokens: seen })).toMatchObject({ ok: false, reason: 'signature' });
    expect(seen.size).toBe(0);
    expect(verifyClientUpload({ ...p, seenTokens: seen }).ok).toBe(true);
  });

  it('reports missing fields and a non-numeric expire', () => {
    expect(verifyClientUpload({ ...fresh(), token: undefined, seenTokens: new Set() })).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifyClientUpload({ ...fresh(), signature: '', seenTokens: new Set() })).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifyClientUpload({ ...fresh(), expire: 'soon', seenTokens: new Set() })).toMatchObject({ ok: false, reason: 'expire' });
  });
});
