import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src-main/protocol/imagekit/webhook.js';

const SECRET = 'whsec_test';
const T = 1_700_000_000_000;
const BODY = JSON.stringify({ type: 'file.created', data: { fileId: 'abc' } });

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 of "<t>.<body>" as computed independently', () => {
    const v1 = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(BODY, SECRET, T)).toBe(`t=${T},v1=${v1}`);
    expect(signWebhook(Buffer.from(BODY), SECRET, T)).toBe(`t=${T},v1=${v1}`);
  });

  it('verifies a good signature and returns the parsed event', () => {
    expect(verifyWebhook(BODY, signWebhook(BODY, SECRET, T), SECRET, { now: T + 1000 })).toEqual({
      ok: true,
      timestamp: T,
      event: { type: 'file.created', data: { fileId: 'abc' } },
    });
  });

  it.each([
    [undefined, 'Timestamp missing'],
    ['v1=abc', 'Timestamp missing'],
    ['t=12ab,v1=abc', 'Timestamp invalid'],
    [`t=${T}`, 'Signature missing'],
    [`t=${T},v1=${'0'.repeat(64)}`, 'Incorrect signature'],
    [`t=${T},v1=short`, 'Incorrect signature'],
  ])('%s → %s', (header, message) => {
    expect(verifyWebhook(BODY, header, SECRET, { now: T })).toEqual({ ok: false, message });
  });

  it('rejects a changed body, another secret, and a replay outside the window', () => {
    const header = signWebhook(BODY, SECRET, T);
    expect(verifyWebhook(`${BODY} `, header, SECRET, { now: T })).toEqual({ ok: false, message: 'Incorrect signature' });
    expect(verifyWebhook(BODY, header, 'other', { now: T })).toEqual({ ok: false, message: 'Incorrect signature' });
    expect(verifyWebhook(BODY, header, SECRET, { now: T + 5 * 60_000 + 1 })).toEqual({ ok: false, message: 'Timestamp outside the tolerance window' });
    expect(verifyWebhook(BODY, header, SECRET, { now: T + 10 * 60_000, toleranceMs: Infinity }).ok).toBe(true);
  });
});
