import { randomBytes } from 'node:crypto';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBuffer, createTurnstile, openSource, releaseBuffer } from '../../src-main/providers/filestack/file-reader.js';
import { errorOf } from '../support/errors.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('ferry-reader-');
});
afterAll(() => removeTempDir(dir));

describe('file reader: one open file, pooled buffers, reads in part order', () => {
  it('reads ranges from one open handle and says file_changed when the file got shorter', async () => {
    const file = path.join(dir, 'a.bin');
    const bytes = randomBytes(3000);
    await writeFile(file, bytes);
    const src = await openSource(file);
    try {
      expect((await src.read(1000, Buffer.alloc(500))).equals(bytes.subarray(1000, 1500))).toBe(true);
      await truncate(file, 1200);
      expect((await errorOf(src.read(1000, Buffer.alloc(500)))).code).toBe('file_changed');
    } finally {
      await src.close();
    }
  });

  it('reuses a released part buffer instead of allocating another', () => {
    const a = acquireBuffer(6 * 1024 * 1024);
    releaseBuffer(a);
    const b = acquireBuffer(5 * 1024 * 1024);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(5 * 1024 * 1024);
    releaseBuffer(b);
  });

  it('hands out first reads in part order whatever order the workers ask in', async () => {
    const gate = createTurnstile([1, 2, 3]);
    const order: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all([3, 1, 2].map((n) => gate.turn(n, signal, async () => void order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('an abort releases a part waiting for its turn', async () => {
    const gate = createTurnstile([1, 2]);
    const ac = new AbortController();
    const waiting = gate.turn(2, ac.signal, async () => 'ran');
    ac.abort();
    expect((await errorOf(waiting)).code).toBe('aborted');
  });
});
