import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError, toAppError } from '../../src-shared/errors.js';
import { contentKeyOf, createContentKey } from '../../src-main/engine/content-key.js';
import type { UploadCheckpoint, UploadContext, UploadSource } from '../../src-main/engine/ports.js';
import type { FiiEvent, LocalCloudApp, PartPutInfo } from '../../src-main/localcloud/context.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import { startFaultProxy, type Fault, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * The intelligent-ingestion client against the local cloud, with the fault proxy between them
 * for every call after start (the proxy rewrites the server's URLs so chunk PUTs pass it too).
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const FAST_RETRY = { maxRetries: 3, baseDelayMs: 2, maxDelayMs: 10, jitter: 0 };

let dir: string;
let cloud: LocalCloud | null = null;
let proxy: FaultProxy | null = null;
let fii: FiiEvent[];
let puts: PartPutInfo[];

function memoryCheckpoint(): UploadCheckpoint & { state: unknown } {
  const cp = {
    state: undefined as unknown,
    load: () => cp.state,
    save: (s: unknown) => {
      cp.state = structuredClone(s);
    },
    clear: () => {
      cp.state = undefined;
    },
  };
  return cp;
}

function context(checkpoint: UploadCheckpoint = memoryCheckpoint(), signal = new AbortController().signal): UploadContext & { progress: number[] } {
  const progress: number[] = [];
  return { signal, onProgress: (b) => progress.push(b), checkpoint, progress };
}

/** Boots cloud + proxy. `rule` sees every request; start/upload answers get the proxy's URL. */
async function boot(app: LocalCloudApp = { apikey: DEFAULT_LOCAL_APIKEY, intelligentIngestion: true }, rule: FaultRule = () => null): Promise<{ c: LocalCloud; p: FaultProxy }> {
  const c = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [app],
    hooks: { onFii: (e) => fii.push(e), onPartPut: (i) => puts.push(i) },
  });
  cloud = c;
  const p = await startFaultProxy(c.baseUrl);
  proxy = p;
  const viaProxy: Fault = {
    kind: 'rewrite-response',
    fn: (status, headers, body) => ({ status, headers, body: Buffer.from(body.toString('utf8').replaceAll(c.baseUrl, p.url)) }),
  };
  p.setRule((req) => rule(req) ?? (req.method === 'POST' && /^\/multipart\/(start|upload)/.test(req.url) ? viaProxy : null));
  return { c, p };
}

function provider(c: LocalCloud, p: FaultProxy, extra: Partial<FilestackProviderOptions> = {}) {
  return createFilestackProvider({
    kind: 'local',
    apikey: DEFAULT_LOCAL_APIKEY,
    uploadBase: p.url,
    cdnBase: c.baseUrl,
    fileApiBase: c.baseUrl,
    retry: FAST_RETRY,
    completePollMs: 5,
    partConcurrency: 2,
    intelligent: true,
    ...extra,
  });
}

async function sourceFile(size: number): Promise<{ source: UploadSource; bytes: Buffer }> {
  const p = path.join(dir, `src-${size}.bin`);
  const bytes = await writeRandomFile(p, size);
  return { source: { path: p, name: 'random.bin', relativePath: null, size, mimetype: 'application/octet-stream' }, bytes };
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const CHUNK_PUT = /^\/s3\/[^/]+\/(\d+)\/(\d+)\?/;
/** Sizes of the chunk PUTs of `part` the proxy saw, in order, with the proxy's fault. */
function chunkPuts(p: FaultProxy, part: number): Array<{ size: number; offset: number; fault: string | null }> {
  return p.log
    .filter((l) => l.method === 'PUT' && Number(CHUNK_PUT.exec(l.url)?.[1]) === part)
    .map((l) => ({ size: Number(new URL(l.url, 'http://x').searchParams.get('size')), offset: Number(CHUNK_PUT.exec(l.url)?.[2]), fault: l.fault }));
}

beforeEach(async () => {
  dir = await makeTempDir('ferry-fii-provider-');
  fii = [];
  puts = [];
});

afterEach(async () => {
  await proxy?.close();
  await cloud?.close();
  proxy = null;
  cloud = null;
  await removeTempDir(dir);
});

describe('filestack provider: intelligent ingestion', () => {
  it('uploads a 20 MiB file as committed 8 MiB parts and completes without a parts list', async () => {
    const { c, p } = await boot();
    const { source, bytes } = await sourceFile(20 * MiB);
    const ctx = context();
    const result = await provider(c, p).upload(source, ctx);

    expect(result.md5).toBe(hashBytes(bytes, 'md5'));
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
    expect(puts).toEqual([]); // no regular part PUTs
    const commits = fii.flatMap((e) => (e.type === 'commit' && e.status === 200 ? [e.part] : []));
    expect(commits.sort()).toEqual([1, 2, 3]);
    expect(p.log.filter((l) => l.url.startsWith('/multipart/commit')).length).toBe(3);
    expect(fii.filter((e) => e.type === 'complete')).toMatchObject([{ status: 200, committedParts: [1, 2, 3], listedParts: [] }]);
    // One whole-part chunk per part when nothing fails.
    expect([1, 2, 3].map((n) => chunkPuts(p, n).map((x) => x.size))).toEqual([[8 * MiB], [8 * MiB], [4 * MiB]]);
    expect(ctx.progress.at(-1)).toBe(source.size);
    expect(ctx.progress).toEqual([...ctx.progress].sort((a, b) => a - b));
  });

  it('halves the chunk on each consecutive failure of a part, never below 32 KiB, and grows back after successes (matrix row 4)', async () => {
    let failures = 0;
    const { c, p } = await boot(undefined, (req) => {
      const m = req.method === 'PUT' ? CHUNK_PUT.exec(req.url) : null;
      if (!m || m[1] !== '2' || failures >= 4) return null;
      failures++;
      // Two connection drops mid-chunk, then two 503s.
      return failures <= 2 ? { kind: 'reset-after', bytes: 16 * KiB } : { kind: 'status', status: 503 };
    });
    const { source, bytes } = await sourceFile(20 * MiB);
    const result = await provider(c, p).upload(source, context());

    const part2 = chunkPuts(p, 2);
    const failed = part2.filter((x) => x.fault !== null).map((x) => x.size);
    expect(failed).toEqual([8 * MiB, 4 * MiB, 2 * MiB, 1 * MiB]);
    expect(failed.every((s, i) => i === 0 || s < (failed[i - 1] ?? 0))).toBe(true);
    expect(part2.every((x) => x.size >= 32 * KiB)).toBe(true);
    // Retries restart at the failed chunk's offset; every 4 successes in a row double the size.
    expect(part2.map((x) => [x.offset / MiB, x.size / MiB])).toEqual([
      [0, 8], [0, 4], [0, 2], [0, 1],
      [0, 0.5], [0.5, 0.5], [1, 0.5], [1.5, 0.5],
      [2, 1], [3, 1], [4, 1], [5, 1],
      [6, 2],
    ]);
    const half = MiB / 2;
    const commit2 = fii.find((e) => e.type === 'commit' && e.part === 2 && e.status === 200);
    expect(commit2).toMatchObject({ chunkSizes: [half, half, half, half, MiB, MiB, MiB, MiB, 2 * MiB] });
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it("fills the engine's content key from the chunks as they are sent, retried chunks and parts in flight together included", async () => {
    let failures = 0;
    const { c, p } = await boot(undefined, (req) => {
      const m = req.method === 'PUT' ? CHUNK_PUT.exec(req.url) : null;
      if (!m || m[1] !== '2' || failures >= 2) return null;
      failures++;
      return { kind: 'reset-after', bytes: 16 * KiB };
    });
    // Part 2's chunks shrink after its failures, so its key block is hashed from chunks that do
    // not start it, while parts 1 and 3 are whole-block chunks sent at the same time.
    const { source, bytes } = await sourceFile(20 * MiB + 5);
    const key = createContentKey(source.size);
    const result = await provider(c, p, { partConcurrency: 3 }).upload(source, { ...context(), contentKey: key });
    expect(key.result()).toBe(contentKeyOf(bytes));
    expect(failures).toBe(2);
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it('fails with a typed error once a chunk at the 32 KiB floor fails, without hanging', async () => {
    const { c, p } = await boot(undefined, (req) => (req.method === 'PUT' && CHUNK_PUT.test(req.url) ? { kind: 'status', status: 503 } : null));
    const { source } = await sourceFile(3 * MiB);
    const err = await provider(c, p)
      .upload(source, context())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    const appErr = toAppError(err);
    expect(appErr.code).toBe('server_error');
    expect(appErr.details).toMatchObject({ reason: 'fii_chunk_floor', part: 1, offset: 0, chunkSize: 32 * KiB, status: 503 });
    const sizes = chunkPuts(p, 1).map((x) => x.size);
    expect(sizes[0]).toBe(3 * MiB);
    expect(sizes.at(-1)).toBe(32 * KiB);
    expect(sizes.every((s, i) => i === 0 || s < (sizes[i - 1] ?? 0))).toBe(true);
    expect(fii.filter((e) => e.type !== 'chunk')).toEqual([]); // never committed, never completed
  });

  it('falls back to a regular multipart upload when the app does not grant FII', async () => {
    const { c, p } = await boot({ apikey: DEFAULT_LOCAL_APIKEY });
    const { source, bytes } = await sourceFile(13 * MiB);
    const cp = memoryCheckpoint();
    const result = await provider(c, p).upload(source, context(cp));
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
    expect(fii).toEqual([]);
    expect(puts.map((x) => x.part).sort()).toEqual([1, 2]); // regular 8 MiB parts
    expect(cp.state).toMatchObject({ v: 1, parts: { 1: expect.any(String) } });
  });

  it('resumes after an abort with only the uncommitted parts', async () => {
    const { c, p } = await boot();
    const { source, bytes } = await sourceFile(20 * MiB);
    const cp = memoryCheckpoint();
    const ac = new AbortController();
    const save = cp.save;
    cp.save = (s: unknown) => {
      save(s);
      if ((s as { committed: number[] }).committed.length >= 1) ac.abort();
    };
    const first = await provider(c, p, { partConcurrency: 1 })
      .upload(source, context(cp, ac.signal))
      .catch((e: unknown) => e);
    expect(toAppError(first).code).toBe('aborted');
    // Part 1 at least; the part prepared ahead may have been committed too before the abort landed.
    const done = (cp.state as { committed: number[] }).committed;
    expect(cp.state).toMatchObject({ mode: 'fii' });
    // Commits finish off the transfer's path, so the first one saved may be part 2's.
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(3);
    for (const n of done) expect([1, 2, 3]).toContain(n);

    cp.save = save;
    fii = [];
    const ctx = context(cp);
    const result = await provider(c, p, { partConcurrency: 1 }).upload(source, ctx);
    const chunked = new Set(fii.filter((e) => e.type === 'chunk').map((e) => e.part));
    for (const n of done) expect(chunked.has(n)).toBe(false);
    // Commits run off the transfer's path, so parts may commit in either order: each uncommitted part once.
    const committed = fii.filter((e) => e.type === 'commit').map((e) => e.part);
    expect(committed.sort((a, b) => a - b)).toEqual([1, 2, 3].filter((n) => !done.includes(n)));
    expect(ctx.progress[0]).toBe(done.reduce((sum, n) => sum + Math.min(8 * MiB, 20 * MiB - (n - 1) * 8 * MiB), 0));
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it('starts over when the checkpointed FII session is unknown to the server', async () => {
    const { c, p } = await boot();
    const { source, bytes } = await sourceFile(9 * MiB);
    const cp = memoryCheckpoint();
    cp.state = {
      v: 1,
      mode: 'fii',
      fileSize: source.size,
      partSize: 8 * MiB,
      session: { uri: '/x/y', region: 'local-1', upload_id: 'gone0000000000000000', location_url: p.url },
      committed: [1],
      etags: {},
      switched: true,
    };
    const result = await provider(c, p).upload(source, context(cp));
    expect(fii.flatMap((e) => (e.type === 'commit' ? [e.part] : [])).sort()).toEqual([1, 2]);
    expect(cp.state).toMatchObject({ mode: 'fii', committed: [1, 2] });
    expect((cp.state as { session: { upload_id: string } }).session.upload_id).not.toBe('gone0000000000000000');
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });

  it("'fallback' mode sends regular parts until one fails, then chunks the rest and merges both on complete", async () => {
    let failed = false;
    const { c, p } = await boot(undefined, (req) => {
      if (req.method !== 'PUT' || !/^\/s3\/[^/]+\/2\?/.test(req.url) || failed) return null;
      failed = true;
      return { kind: 'status', status: 503 };
    });
    const { source, bytes } = await sourceFile(20 * MiB);
    const result = await provider(c, p, { intelligent: 'fallback', partConcurrency: 1 }).upload(source, context());
    expect(puts.filter((x) => x.status === 200).map((x) => x.part)).toEqual([1]);
    expect(fii.filter((e) => e.type === 'complete')).toMatchObject([{ status: 200, committedParts: [2, 3], listedParts: [1] }]);
    expect(hashBytes(await download(result.url))).toBe(hashBytes(bytes));
  });
});
