import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64DecodeText,
  base64Encode,
  base64EncodeText,
  utf8Decode,
  utf8Encode,
} from '../../src-shared/filestack/base64.js';

// Node's Buffer is an independent implementation to compare the hand-written codec against.
const samples = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar', 'a?>b~', 'é', 'ŝ€', '😀 smile', '{"expiry":1}', 'x'.repeat(257)];

describe('shared base64 / utf8 codec', () => {
  it('matches RFC 4648 §10 test vectors', () => {
    const expected = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    expected.forEach((b64, i) => expect(base64EncodeText('foobar'.slice(0, i), 'standard')).toBe(b64));
  });

  it.each(samples)('agrees with Buffer for %j in both alphabets', (text) => {
    const std = Buffer.from(text, 'utf8').toString('base64');
    expect(base64EncodeText(text, 'standard')).toBe(std);
    expect(base64EncodeText(text, 'url')).toBe(std.replaceAll('+', '-').replaceAll('/', '_'));
    expect(Buffer.from(utf8Encode(text)).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(base64DecodeText(std)).toBe(text);
    expect(base64DecodeText(std.replace(/=+$/, ''))).toBe(text); // padding optional
  });

  it('decodes all 256 byte values in either alphabet', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const url = base64Encode(bytes, 'url');
    expect(url).toBe(Buffer.from(bytes).toString('base64url') + '==') // 256 % 3 = 1 → two pad chars;
    expect(Buffer.from(base64Decode(url) ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(base64Decode(base64Encode(bytes, 'standard')) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rejects malformed base64 and UTF-8', () => {
    expect(base64Decode('ab$d')).toBeNull();
    expect(base64Decode('abcde')).toBeNull(); // impossible length
    expect(base64Decode('ab=d')).toBeNull(); // padding in the middle
    expect(base64Decode('a===')).toBeNull();
    expect(utf8Decode(Uint8Array.from([0xc3]))).toBeNull(); // truncated
    expect(utf8Decode(Uint8Array.from([0xc0, 0x80]))).toBeNull(); // overlong NUL
    expect(utf8Decode(Uint8Array.from([0xed, 0xa0, 0x80]))).toBeNull(); // surrogate
  });
});
