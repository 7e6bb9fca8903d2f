/**
 * The media cache behind ImageKit video delivery, with plain producers writing real files: LRU
 * eviction by bytes, re-indexing after a restart, no half-written output, shared producers.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { createMediaCache, type Producer } from '../../src-main/localcloud/processing/media-cache.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('ferry-media-cache-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const bytes = (n: number, fill: string): Producer => async (out) => writeFile(out, Buffer.alloc(n, fill));

describe('media cache', () => {
  it('keeps outputs under maxBytes, dropping the least recently used first', async () => {
    const cache = await createMediaCache({ dir, maxBytes: 250 });
    const a = await cache.get('a', '.bin', bytes(100, 'a'));
    await new Promise((r) => setTimeout(r, 5));
    await cache.get('b', '.bin', bytes(100, 'b'));
    await new Promise((r) => setTimeout(r, 5));
    // Using `a` again makes `b` the oldest.
    expect(await cache.get('a', '.bin', bytes(100, 'x'))).toBe(a);
    await cache.get('c', '.bin', bytes(100, 'c'));
    expect(cache.stats).toMatchObject({ entries: 2, bytes: 200 });
    expect((await readFile(a)).toString()).toBe('a'.repeat(100));
    let producedB = false;
    await cache.get('b', '.bin', async (out) => {
      producedB = true;
      await writeFile(out, 'b');
    });
    expect(producedB).toBe(true);
  });

  it('indexes what an earlier run left and removes unfinished temp outputs', async () => {
    const first = await createMediaCache({ dir });
    const kept = await first.get('k', '.bin', bytes(10, 'k'));
    await writeFile(path.join(dir, 'tmp-dead-output'), 'half');
    await mkdir(path.join(dir, 'tmp-dead-folder'));
    const second = await createMediaCache({ dir });
    expect(second.stats).toMatchObject({ entries: 1, bytes: 10 });
    expect(await second.get('k', '.bin', bytes(10, 'z'))).toBe(kept);
    expect((await readdir(dir)).filter((n) => n.startsWith('tmp-'))).toEqual([]);
  });

  it('never leaves a failed output in place, and one producer serves concurrent callers', async () => {
    const cache = await createMediaCache({ dir });
    await expect(
      cache.get('bad', '.bin', async (out) => {
        await writeFile(out, 'partial');
        throw new Error('encoder crashed');
      }),
    ).rejects.toThrow('encoder crashed');
    expect(await readdir(dir)).toEqual([]);
    let runs = 0;
    const slow: Producer = async (out) => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 30));
      await writeFile(out, 'ok');
    };
    const paths = await Promise.all([1, 2, 3].map(() => cache.get('same', '.bin', slow)));
    expect(new Set(paths).size).toBe(1);
    expect(runs).toBe(1);
  });

  it('aborts a producer once every waiter is gone, and refuses work beyond the queue', async () => {
    const cache = await createMediaCache({ dir, maxConcurrent: 1, maxQueued: 0 });
    let sawAbort = false;
    const waiter = new AbortController();
    const pending = cache.get(
      'long',
      '.bin',
      (out, signal) =>
        new Promise<void>((resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('killed'));
          });
          void out;
          void resolve;
        }),
      waiter.signal,
    );
    const busy = await cache.get('other', '.bin', bytes(1, 'o')).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(FerryError);
    expect((busy as FerryError).error).toMatchObject({ code: 'rate_limited', retryable: true });
    waiter.abort();
    await expect(pending).rejects.toThrow();
    expect(sawAbort).toBe(true);
    expect(cache.stats.running).toBe(0);
  });

  it('a request arriving while an aborted producer is still winding down starts a fresh one', async () => {
    const cache = await createMediaCache({ dir, maxConcurrent: 1, maxQueued: 1 });
    let finishKill: () => void = () => undefined;
    // Like ffmpeg: the kill is asked for at abort, the process is gone a moment later.
    const dying: Producer = (_out, signal) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          finishKill = () => reject(new Error('killed'));
        });
      });
    const waiter = new AbortController();
    const first = cache.get('clip', '.bin', dying, waiter.signal).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    waiter.abort();
    let runs = 0;
    const again = cache.get('clip', '.bin', async (out) => {
      runs += 1;
      await writeFile(out, 'fresh');
    });
    finishKill();
    expect(await first).toBeInstanceOf(Error);
    expect((await readFile(await again)).toString()).toBe('fresh');
    expect(runs).toBe(1);
    // The dying job's cleanup did not forget the fresh one's output.
    expect(await cache.get('clip', '.bin', bytes(1, 'x'))).toBe(await again);
  });
});
