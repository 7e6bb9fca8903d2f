import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentKeyOf, createContentKey } from '../../src-main/engine/content-key.js';
import type { UploadContext } from '../../src-main/engine/ports.js';
import { errorOf } from '../support/errors.js';
import { hashBytes } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { memoryCheckpoint, providerFor, sourceOf, startRig, storedSha256, type Rig } from '../reliability/rig.js';
import type { FaultLogEntry, FaultRule } from '../support/fault-proxy.js';

/**
 * The Filestack provider's short paths: a small file in one /api/store request, verification
 * from the local cloud's answer (no metadata call), the composite ETag instead of a second hash
 * of the file, no checkpoint rows for one-part uploads, and the content key from the part MD5s.
 */

const MIB = 1024 * 1024;
let dir: string;
let rig: Rig;

beforeAll(async () => {
  dir = await makeTempDir('ferry-fast-path-');
  rig = await startRig(path.join(dir, 'cloud'));
});
afterEach(() => rig.proxy.setRule(() => null));
afterAll(async () => {
  await rig.close();
  await removeTempDir(dir);
});

async function fileOf(name: string, size: number): Promise<{ file: string; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return { file, bytes };
}

function contextWith(extra: Partial<UploadContext> = {}): UploadContext & { saves: number } {
  const cp = memoryCheckpoint();
  const ctx = {
    saves: 0,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    checkpoint: { ...cp, save: (s: unknown) => (ctx.saves++, cp.save(s)) },
    ...extra,
  };
  return ctx;
}

/** The requests of one upload, as "METHOD /path". */
function calls(since: number): string[] {
  return rig.proxy.log.slice(since).map((e: FaultLogEntry) => `${e.method} ${e.url.split('?')[0]?.replace(/\/s3\/[^/]+\/\d+$/, '/s3/<part>')}`);
}

const rewriteJson = (match: string, change: (body: Record<string, unknown>) => Record<string, unknown>): FaultRule => (req) =>
  req.url.startsWith(match)
    ? {
        kind: 'rewrite-response',
        fn: (status, headers, body) => ({ status, headers, body: Buffer.from(JSON.stringify(change(JSON.parse(body.toString()) as Record<string, unknown>))) }),
      }
    : null;

describe('Filestack provider: the short paths', () => {
  it('a small file goes up in one /api/store request, verified by the MD5 in the answer', async () => {
    const { file, bytes } = await fileOf('small.txt', 10_000);
    const since = rig.proxy.log.length;
    const key = createContentKey(bytes.length);
    const result = await providerFor(rig, { singleRequestMax: 6 * MIB, verifyFromComplete: true }).upload(sourceOf(file, bytes.length), contextWith({ contentKey: key }));
    expect(calls(since)).toEqual(['POST /api/store/S3']);
    expect(result.md5).toBe(hashBytes(bytes, 'md5'));
    expect(key.result()).toBe(contentKeyOf(bytes));
    expect(await storedSha256(rig, result.remoteId)).toBe(hashBytes(bytes));
  });

  it('without a trusted answer a small file costs the store call and one metadata call', async () => {
    const { file, bytes } = await fileOf('small2.txt', 5000);
    const since = rig.proxy.log.length;
    await providerFor(rig, { singleRequestMax: 6 * MIB }).upload(sourceOf(file, bytes.length), contextWith());
    expect(calls(since).map((c) => c.replace(/\/api\/file\/[^/]+\/metadata/, '/api/file/<handle>/metadata'))).toEqual(['POST /api/store/S3', 'GET /api/file/<handle>/metadata']);
  });

  it('a store answer naming another MD5 is an integrity error', async () => {
    const { file, bytes } = await fileOf('small3.txt', 4000);
    rig.proxy.setRule(rewriteJson('/api/store', (b) => ({ ...b, md5: hashBytes(randomBytes(4), 'md5') })));
    const err = await errorOf(providerFor(rig, { singleRequestMax: 6 * MIB, verifyFromComplete: true }).upload(sourceOf(file, bytes.length), contextWith()));
    expect(err.code).toBe('integrity');
  });

  it('a multipart upload to a trusted server: no metadata call, verified by the composite ETag; parts that are not key blocks leave the key alone', async () => {
    const { file, bytes } = await fileOf('multi.bin', 2 * 5 * MIB + 99);
    const since = rig.proxy.log.length;
    // The rig's 5 MiB parts are not the key's 8 MiB blocks: the provider must not feed it.
    const key = createContentKey(bytes.length);
    const result = await providerFor(rig, { verifyFromComplete: true }).upload(sourceOf(file, bytes.length), contextWith({ contentKey: key }));
    const list = calls(since);
    expect(list.filter((c) => c.startsWith('GET'))).toEqual([]);
    expect(list.filter((c) => c === 'PUT /s3/<part>')).toHaveLength(3);
    // Nobody hashed the whole file (the server stores its MD5 lazily), so none is reported.
    expect(result.md5).toBeUndefined();
    expect(await storedSha256(rig, result.remoteId)).toBe(hashBytes(bytes));
    expect(key.result()).toBeNull();
  });

  it('the content key comes from the part MD5s when the parts are the key blocks', async () => {
    const { file, bytes } = await fileOf('blocks.bin', 6 * MIB + 5);
    const key = createContentKey(bytes.length);
    await providerFor(rig, { verifyFromComplete: true, partSize: key.blockSize }).upload(sourceOf(file, bytes.length), contextWith({ contentKey: key }));
    expect(key.result()).toBe(contentKeyOf(bytes));
  });

  it('a complete answer whose ETag does not match what was sent is an integrity error', async () => {
    const { file, bytes } = await fileOf('multi2.bin', 5 * MIB + 1);
    rig.proxy.setRule(rewriteJson('/multipart/complete', (b) => ({ ...b, etag: '0123456789abcdef0123456789abcdef-2' })));
    const err = await errorOf(providerFor(rig, { verifyFromComplete: true }).upload(sourceOf(file, bytes.length), contextWith()));
    expect(err.code).toBe('integrity');
  });

  it('a one-part multipart upload writes no checkpoint; a multi-part one does', async () => {
    const one = await fileOf('one.bin', 1000);
    const ctxOne = contextWith();
    await providerFor(rig, { verifyFromComplete: true }).upload(sourceOf(one.file, 1000), ctxOne);
    expect(ctxOne.saves).toBe(0);
    const two = await fileOf('two.bin', 5 * MIB + 1);
    const ctxTwo = contextWith();
    await providerFor(rig, { verifyFromComplete: true }).upload(sourceOf(two.file, 5 * MIB + 1), ctxTwo);
    expect(ctxTwo.saves).toBeGreaterThan(0);
  });
});
