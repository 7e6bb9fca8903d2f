/**
 * The ImageKit Provider against the local cloud over real HTTP: a verified upload, a 5xx once
 * (fault proxy) retried by the engine with progress restarting at 0, auth refusal pausing the
 * job, and a verification failure when the stored bytes differ.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FerryError, toAppError } from '../../src-shared/errors.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { Logger, Provider, UploadContext } from '../../src-main/engine/ports.js';
import type { Engine } from '../../src-main/engine/types.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { httpRequest } from '../../src-main/net/http.js';
import { imagekitProviderFromEnv } from '../../src-main/providers/imagekit/from-env.js';
import { createImageKitProvider, folderFor, type ImageKitProviderOptions } from '../../src-main/providers/imagekit/provider.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const ACCOUNT = { imagekitId: 'provtest', privateKey: 'private_prov_key_0001', publicKey: 'public_prov_key_0001' };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dir = '';
let cloud: LocalCloud;
let proxy: FaultProxy;
const engines: Engine[] = [];

const options = (over: Partial<ImageKitProviderOptions> = {}): ImageKitProviderOptions => ({
  privateKey: ACCOUNT.privateKey,
  urlEndpoint: `${cloud.baseUrl}/ik/${ACCOUNT.imagekitId}`,
  uploadBase: proxy.url,
  apiBase: proxy.url,
  folder: '/ferry',
  ...over,
});

const noCheckpoint: UploadContext['checkpoint'] = { load: () => null, save: () => undefined, clear: () => undefined };

beforeAll(async () => {
  dir = await makeTempDir('ferry-ik-prov-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), imagekit: { accounts: [ACCOUNT] } });
  proxy = await startFaultProxy(cloud.baseUrl);
});
afterEach(async () => {
  proxy.setRule(() => null);
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await proxy?.close();
  await cloud?.close();
  await removeTempDir(dir);
});

/** Records every onProgress value per attempt around the real provider. */
function recording(inner: Provider): { provider: Provider; attempts: number[][] } {
  const attempts: number[][] = [];
  return {
    attempts,
    provider: {
      kind: inner.kind,
      upload(source, ctx) {
        const seen: number[] = [];
        attempts.push(seen);
        return inner.upload(source, { ...ctx, onProgress: (b) => (seen.push(b), ctx.onProgress(b)) });
      },
    },
  };
}

function engineWith(provider: Provider): Engine {
  const engine = createEngine({
    providers: { imagekit: provider },
    store: createMemoryJobStore(),
    clock: { now: () => Date.now() },
    logger: quiet,
    defaultDestination: 'imagekit',
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0 },
  });
  engines.push(engine);
  return engine;
}

describe('ImageKit provider', () => {
  it('uploads a file, verifies it by size and downloaded MD5, and returns the result', async () => {
    const file = path.join(dir, 'photo one.bin');
    const bytes = await writeRandomFile(file, 1_500_000);
    const progress: number[] = [];
    const provider = createImageKitProvider(options());
    const before = proxy.log.length;
    const result = await provider.upload(
      { path: file, name: 'photo one.bin', relativePath: 'Trip 2024/photo one.bin', size: bytes.length, mimetype: 'application/octet-stream' },
      { signal: new AbortController().signal, onProgress: (b) => progress.push(b), checkpoint: noCheckpoint },
    );
    expect(result).toMatchObject({ size: bytes.length, mimetype: 'application/octet-stream', md5: hashBytes(bytes, 'md5') });
    expect(result.remoteId).not.toBe('');
    expect(result.url).toContain('/ferry/Trip_2024/');
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(bytes.length);
    const uploads = proxy.log.slice(before).filter((e) => e.url.includes('/api/v1/files/upload'));
    expect(uploads).toHaveLength(1);
    const stored = await httpRequest({ method: 'GET', url: result.url });
    expect(hashBytes(stored.body, 'md5')).toBe(hashBytes(bytes, 'md5'));
  });

  it('sends the bytes the engine already read whole, without touching the path again', async () => {
    const bytes = Buffer.from('a small file the engine read whole, once');
    // The path no longer exists: any stat, hash or read of it would fail the upload.
    const gone = path.join(dir, 'read-whole-then-gone.txt');
    const progress: number[] = [];
    const result = await createImageKitProvider(options()).upload(
      { path: gone, name: 'note.txt', relativePath: null, size: bytes.length, mimetype: 'text/plain', bytes },
      { signal: new AbortController().signal, onProgress: (b) => progress.push(b), checkpoint: noCheckpoint },
    );
    expect(result).toMatchObject({ size: bytes.length, md5: hashBytes(bytes, 'md5') });
    expect(progress.at(-1)).toBe(bytes.length);
    const stored = await httpRequest({ method: 'GET', url: result.url });
    expect(stored.body.equals(bytes)).toBe(true);
  });

  it('a 5xx once is retried by the engine and progress restarts from 0', async () => {
    const file = path.join(dir, 'retry.bin');
    const bytes = await writeRandomFile(file, 400_000);
    let failed = 0;
    proxy.setRule((req) => (req.url.includes('/api/v1/files/upload') && failed++ === 0 ? { kind: 'status', status: 503, body: '{"message":"busy"}' } : null));
    const rec = recording(createImageKitProvider(options()));
    const engine = engineWith(rec.provider);
    const { jobIds } = await engine.addPaths([file]);
    await engine.whenIdle();
    const job = engine.get(jobIds[0]!);
    expect(job?.status.kind).toBe('done');
    expect(job?.attempts).toBe(2);
    expect(rec.attempts).toHaveLength(2);
    expect(rec.attempts[1]![0]).toBe(0);
    expect(rec.attempts[1]!.at(-1)).toBe(bytes.length);
    if (job?.status.kind === 'done') expect(job.status.result.md5).toBe(hashBytes(bytes, 'md5'));
  });

  it('a refused key pauses the job on auth instead of retrying', async () => {
    const file = path.join(dir, 'auth.bin');
    await writeRandomFile(file, 1000);
    const engine = engineWith(createImageKitProvider(options({ privateKey: 'private_not_a_key' })));
    const { jobIds } = await engine.addPaths([file]);
    await engine.whenIdle();
    const status = engine.get(jobIds[0]!)?.status;
    expect(status).toMatchObject({ kind: 'paused', reason: 'auth', error: { code: 'forbidden' } });
  });

  it('fails verification when the stored bytes differ from the source', async () => {
    const file = path.join(dir, 'corrupt.bin');
    await writeRandomFile(file, 5000);
    // The upload itself is intact; its answer's URL is pointed through the proxy, which then
    // corrupts one byte of the delivery: only the provider's download check can notice.
    const provider = createImageKitProvider(options({ urlEndpoint: `${proxy.url}/ik/${ACCOUNT.imagekitId}` }));
    const flip = (body: Buffer): Buffer => Buffer.concat([body.subarray(0, 10), Buffer.from([body[10]! ^ 0xff]), body.subarray(11)]);
    proxy.setRule((req) => {
      if (req.url.includes('/api/v1/files/upload')) {
        return { kind: 'rewrite-response', fn: (status, headers, body) => ({ status, headers, body: Buffer.from(body.toString('utf8').replaceAll(cloud.baseUrl, proxy.url)) }) };
      }
      if (req.method === 'GET' && req.url.includes('/ik/')) return { kind: 'rewrite-response', fn: (status, headers, body) => ({ status, headers, body: flip(body) }) };
      return null;
    });
    const ctx = { signal: new AbortController().signal, onProgress: () => undefined, checkpoint: noCheckpoint };
    const err = await provider.upload({ path: file, name: 'corrupt.bin', relativePath: null, size: 5000, mimetype: 'application/octet-stream' }, ctx).then(
      () => null,
      (e: unknown) => (expect(e).toBeInstanceOf(FerryError), toAppError(e)),
    );
    expect(err?.code).toBe('integrity');
  });

  it('maps folders and builds from the environment only when configured', async () => {
    expect(folderFor('/ferry', 'My Trip/day 1/a.jpg')).toBe('/ferry/My_Trip/day_1/');
    expect(folderFor(undefined, null)).toBe('/');
    expect(imagekitProviderFromEnv({})).toBeNull();
    expect(imagekitProviderFromEnv({ FERRY_IMAGEKIT_PRIVATE_KEY: 'k' })).toBeNull();
    const p = imagekitProviderFromEnv({ FERRY_IMAGEKIT_PRIVATE_KEY: 'k', FERRY_IMAGEKIT_URL_ENDPOINT: 'https://ik.imagekit.io/demo' });
    expect(p?.kind).toBe('imagekit');
  });
});
