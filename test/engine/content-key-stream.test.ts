import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentKeyOf, createStreamingContentKey, KEY_BLOCK_BYTES } from '../../src-main/engine/content-key.js';

describe('content key from a stream', () => {
  it('equals the key of the whole buffer however the bytes are cut into chunks', () => {
    const bytes = randomBytes(2 * KEY_BLOCK_BYTES + 12_345);
    for (const step of [1 << 16, 1_000_003, KEY_BLOCK_BYTES, 3 * KEY_BLOCK_BYTES]) {
      const key = createStreamingContentKey(bytes.length);
      for (let at = 0; at < bytes.length; at += step) key.update(bytes.subarray(at, at + step));
      expect(key.digest()).toBe(contentKeyOf(bytes));
    }
  });

  it('an empty stream and other bytes give other keys', () => {
    const bytes = randomBytes(1000);
    const other = Buffer.from(bytes);
    other[999] = (other[999] ?? 0) ^ 1;
    const a = createStreamingContentKey(1000);
    a.update(other);
    expect(a.digest()).not.toBe(contentKeyOf(bytes));
    expect(createStreamingContentKey(0).digest()).toBe(contentKeyOf(Buffer.alloc(0)));
  });
});
