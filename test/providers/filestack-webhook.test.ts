import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src-main/protocol/filestack/webhook.js';

const SECRET = 'whsec';
const BODY = '{"action":"fp.upload"}';
const TS = 1_700_000_000;
// HMAC-SHA256("whsec", '1700000000.{"action":"fp.upload"}') computed with Python's hmac module.
const SIG = 'c94ecf6cad0a48be124c01839277c0711805d2bae03a65e6680e91c3b544b674';

describe('signWebhook', () => {
  it('signs "<timestamp>.<raw body>" as lowercase hex', () => {
    expect(signWebhook(SECRET, BODY, TS)).toBe(SIG);
    expect(signWebhook(SECRET, Buffer.from(BODY), String(TS))).toBe(SIG);
  });

  it('signs raw bytes byte-for-byte (non-UTF-8 bodies still differ)', () => {
    expect(signWebhook(SECRET, Buffer.from([0xff, 0x01]), TS)).not.toBe(signWebhook(SECRET, Buffer.from([0xff, 0x02]), TS));
  });
});

describe('verifyWebhook', () => {
  const good = { 'fs-signature': SIG, 'fs-timestamp': String(TS) };

  it('accepts a good delivery, header names in any case, array values', () => {
    expect(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: good, now: TS })).toEqual({ ok: true });
    expect(verifyWebhook({ secret: SECRET, rawBody: Buffer.from(BODY), headers: { 'FS-Signature': SIG, 'Fs-TimeStamp': String(TS) }, now: TS + 299 })).toEqual({ ok: true });
    expect(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: { 'fs-signature': [SIG], 'fs-timestamp': [String(TS)] }, now: TS - 300 })).toEqual({ ok: true });
  });

  const reasonOf = (r: ReturnType<typeof verifyWebhook>): string => (r.ok ? 'ok' : r.reason);

  it('rejects a tampered body and a wrong secret', () => {
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY.replace('upload', 'delete'), headers: good, now: TS }))).toBe('mismatch');
    expect(reasonOf(verifyWebhook({ secret: 'other', rawBody: BODY, headers: good, now: TS }))).toBe('mismatch');
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: { ...good, 'fs-signature': 'abc' }, now: TS }))).toBe('mismatch');
  });

  it('rejects a signature made for another timestamp', () => {
    const headers = { 'fs-signature': SIG, 'fs-timestamp': String(TS + 1) };
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers, now: TS }))).toBe('mismatch');
  });

  it('reports missing and bad headers', () => {
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: { 'fs-timestamp': String(TS) }, now: TS }))).toBe('missing-signature');
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: { 'fs-signature': SIG, 'fs-timestamp': undefined }, now: TS }))).toBe('missing-timestamp');
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: { 'fs-signature': SIG, 'fs-timestamp': '17e8' }, now: TS }))).toBe('bad-timestamp');
  });

  it('refuses deliveries outside the tolerance window as replays', () => {
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: good, now: TS + 301 }))).toBe('replay');
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: good, now: TS - 301 }))).toBe('replay');
    expect(reasonOf(verifyWebhook({ secret: SECRET, rawBody: BODY, headers: good, now: TS + 3600, toleranceSeconds: 3600 }))).toBe('ok');
  });
});
