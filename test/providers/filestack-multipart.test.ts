import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError, toAppError } from '../../src-shared/errors.js';
import type { UploadCheckpoint, UploadContext, UploadSource } from '../../src-main/engine/ports.js';
import type { PartPutInfo } from '../../src-main/localcloud/context.js';
import { startLocalCloud, DEFAULT_LOCAL_APIKEY, type LocalCloud, type LocalCloudHooks } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, DEFAULT_PART_SIZE, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const MiB = 1024 * 1024;
const FAST_RETRY = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0 };

/** An in-memory checkpoint store, as the engine's journal would provide. */
function memoryCheckpoint(initial?: unknown): UploadCheckpoint & { state: unknown; saves: number } {
  const cp = {
    state: initial,
    saves: 0,
    load: () => cp.state,
    save: (s: unknown) => {
      cp.state = structuredClone(s);
      cp.saves++;
    },
    clear: () => {
      cp.state = undefined;
    },
  };
  return cp;
}

let dir: string;
let cloud: LocalCloud | null = null;
let log: PartPutInfo[];

async function boot(hooks: LocalCloudHooks = {}): Promise<LocalCloud> {
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), hooks: { onPartPut: (i) => log.push(i), ...hooks } });
  return cloud;
}

function provider(c: LocalCloud, extra: Partial<FilestackProviderOptions> = {}) {
  return createFilestackProvider({
    kind: 'local',
    apikey: DEFAULT_LOCAL_APIKEY,
    uploadBase: c.baseUrl,
    cdnBase: c.baseUrl,
    fileApiBase: c.baseUrl,
    retry: FAST_RETRY,
    completePollMs: 10,
    ...extra,
  });
}

async function sourceFile(size: number): Promise<{ source: UploadSource; bytes: Buffer }> {
  const p = path.join(dir, `src-${size}.bin`);
  const bytes = await writeRandomFile(p, size);
  return { source: { path: p, name: 'random.bin', relativePath: null, size, mimetype: 'application/octet-stream' }, bytes };
}

function context(checkpoint = memoryCheckpoint(), signal = new AbortController().signal): UploadContext & { progress: number[] } {
  const progress: number[] = [];
  return { signal, onProgress: (b) => progress.push(b), checkpoint, progress };
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeEach(async () => {
  dir = await makeTempDir('ferry-fs-provider-');
  log = [];
});

afterEach(async () => {
  await cloud?.close();
  cloud = null;
  await removeTempDir(dir);
});

describe('filestack provider against the local cloud', () => {
  it('uploads a 26 MiB file with parallel parts whose Content-MD5 matches the source ranges', async () => {
    // Barrier: hold each part's answer until a second part has arrived (or 3 s passed), so a
    // serial client shows up as no overlap instead of passing by luck.
    let arrived = 0;
    const waiters: Array<() => void> = [];
    const c = await boot({
      beforePartAnswer: async () => {
        arrived++;
        if (arrived >= 2) waiters.splice(0).forEach((w) => w());
        else await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 3000)));
      },
    });
    const { source, bytes } = await sourceFile(26 * MiB);
    const ctx = context();
    const result = await provider(c).upload(source, ctx);

    expect(result.size).toBe(source.size);
    expect(result.md5).toBe(hashBytes(bytes, 'md5'));
    expect(result.url).toBe(`${c.baseUrl}/${result.remoteId}`);
    const partSize = DEFAULT_PART_SIZE;
    expect(log.map((l) => l.part).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
    for (const put of log) {
      expect(put.status).toBe(200);
      expect(put.contentMd5Header).toBe(put.computedMd5);
      const range = bytes.subarray((put.part - 1) * partSize, put.part * partSize);
      expect(put.contentMd5Header).toBe(hashBytes(range, 'md5', 'base64'));
    }
    const overlapping = log.some((a) => log.some((b) => a !== b && a.startedAt < b.endedAt && b.startedAt < a.endedAt));
    expect(overlapping).toBe(true);
    expect(Math.max(...log.map((l) => l.inFlightAtStart))).toBeGreaterThanOrEqual(2);
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
    expect(ctx.progress.at(-1)).toBe(source.size);
    expect(ctx.progress).toEqual([...ctx.progress].sort((a, b) => a - b));
  });

  it('retries a part whose bytes were corrupted in transit (400 BadDigest)', async () => {
    const c = await boot({
      mutatePartBody: ({ part, attempt }, body) => {
        if (part !== 2 || attempt !== 1) return body;
        const copy = Buffer.from(body);
        copy[100] = (copy[100] ?? 0) ^ 0xff;
        return copy;
      },
    });
    const { source, bytes } = await sourceFile(13 * MiB);
    const result = await provider(c).upload(source, context());
    const part2 = log.filter((l) => l.part === 2).map((l) => l.status);
    expect(part2).toEqual([400, 200]);
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it('polls a complete that answers 202, and gives up after the poll budget', async () => {
    const c = await boot({ completeAccepts202: 2 });
    const { source, bytes } = await sourceFile(7 * MiB);
    const ok = await provider(c).upload(source, context());
    expect(hashBytes(await download(ok.url))).toBe(hashBytes(bytes));

    const err = await provider(c, { completeMaxPolls: 2 })
      .upload(source, context())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(toAppError(err).code).toBe('server_error');
  });

  it('resumes from a checkpoint without re-sending confirmed parts', async () => {
    const c = await boot();
    const { source, bytes } = await sourceFile(26 * MiB); // 4 parts
    const cp = memoryCheckpoint();
    const ac = new AbortController();
    const origSave = cp.save;
    cp.save = (s: unknown) => {
      origSave(s);
      if (Object.keys((s as { parts: object }).parts).length >= 2) ac.abort();
    };
    const first = await provider(c, { partConcurrency: 1 })
      .upload(source, context(cp, ac.signal))
      .catch((e: unknown) => e);
    expect(toAppError(first).code).toBe('aborted');
    const confirmed = Object.keys((cp.state as { parts: Record<string, string> }).parts).map(Number);
    expect(confirmed.length).toBeGreaterThanOrEqual(2);

    cp.save = origSave;
    log = [];
    const ctx = context(cp);
    const result = await provider(c).upload(source, ctx);
    const resent = log.map((l) => l.part);
    expect(resent.filter((p) => confirmed.includes(p))).toEqual([]);
    expect(resent.length).toBe(4 - confirmed.length);
    expect(ctx.progress[0]).toBe(confirmed.length * DEFAULT_PART_SIZE);
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it('starts over when the checkpointed session is unknown to the server', async () => {
    const c = await boot();
    const { source, bytes } = await sourceFile(DEFAULT_PART_SIZE + 10);
    const stale = {
      v: 1,
      fileSize: source.size,
      partSize: DEFAULT_PART_SIZE,
      session: { uri: '/x/y', region: 'local-1', upload_id: 'gone0000000000000000', location_url: c.baseUrl },
      parts: { 1: '"00000000000000000000000000000000"' },
    };
    const cp = memoryCheckpoint(stale);
    const result = await provider(c).upload(source, context(cp));
    expect(log.map((l) => l.part).sort()).toEqual([1, 2]);
    expect((cp.state as { session: { upload_id: string } }).session.upload_id).not.toBe('gone0000000000000000');
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it('ignores a checkpoint of another shape and refuses empty files', async () => {
    const c = await boot();
    const { source } = await sourceFile(1000);
    const result = await provider(c).upload(source, context(memoryCheckpoint({ v: 99, junk: true })));
    expect(result.size).toBe(1000);

    const empty = await sourceFile(0);
    const err = await provider(c)
      .upload(empty.source, context())
      .catch((e: unknown) => e);
    expect(toAppError(err).code).toBe('empty_file');
  });

  it('turns an unknown apikey into a forbidden error without retrying', async () => {
    const c = await boot();
    const { source } = await sourceFile(1000);
    const err = await provider(c, { apikey: 'NotAKnownKey0000000000' })
      .upload(source, context())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(toAppError(err)).toMatchObject({ code: 'forbidden', retryable: false });
  });
});
