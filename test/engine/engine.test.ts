import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { JobView } from '../../src-shared/model/job.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { nodeFs, type EngineFs } from '../../src-main/engine/file-system.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { Logger, Provider } from '../../src-main/engine/ports.js';
import type { Engine, EngineDeps } from '../../src-main/engine/types.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { useEngineCloud } from '../support/engine-cloud.js';

const APIKEY = 'FerryLocalCloudKey0001';
const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const fastRetry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0 };

const rig = useEngineCloud('ferry-engine-');

function localProvider(apikey = APIKEY): Provider {
  return createFilestackProvider({ kind: 'local', apikey, uploadBase: rig.cloud.baseUrl, cdnBase: rig.cloud.baseUrl, fileApiBase: rig.cloud.baseUrl });
}

function makeEngine(overrides: Partial<EngineDeps> = {}): Engine {
  const engine = createEngine({
    providers: { local: localProvider() },
    store: createMemoryJobStore(),
    clock: { now: () => Date.now() },
    logger: quietLogger,
    defaultDestination: 'local',
    retry: fastRetry,
    ...overrides,
  });
  rig.engines.push(engine);
  return engine;
}

async function writeRandom(path: string, size: number): Promise<string> {
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return sha256(bytes);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function remoteSha(view: JobView | undefined): Promise<string> {
  if (view?.status.kind !== 'done') throw new Error(`job not done: ${JSON.stringify(view?.status)}`);
  const res = await fetch(view.status.result.url);
  expect(res.status).toBe(200);
  return sha256(new Uint8Array(await res.arrayBuffer()));
}

/** A provider decorator that holds each upload until the test releases it (or it is aborted). */
function gated(inner: Provider) {
  const waiting: (() => void)[] = [];
  let calls = 0;
  const provider: Provider = {
    kind: inner.kind,
    async upload(source, ctx) {
      calls++;
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        ctx.signal.addEventListener(
          'abort',
          () => {
            waiting.splice(waiting.indexOf(resolve), 1);
            reject(new FerryError(appError('aborted', 'aborted')));
          },
          { once: true },
        );
      });
      return inner.upload(source, ctx);
    },
  };
  return { provider, calls: () => calls, waiting: () => waiting.length, releaseAll: () => waiting.splice(0).forEach((r) => r()) };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('engine against the local cloud', () => {
  it('uploads a nested directory, keeps relative paths, and the stored bytes match', async () => {
    const root = join(rig.tmp, 'photos');
    await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
    const hashes = new Map<string, string>();
    hashes.set('photos/a.jpg', await writeRandom(join(root, 'a.jpg'), 300_000));
    hashes.set('photos/sub/b.txt', await writeRandom(join(root, 'sub', 'b.txt'), 1234));
    hashes.set('photos/sub/deeper/c.bin', await writeRandom(join(root, 'sub', 'deeper', 'c.bin'), 7 * 1024 * 1024));
    await symlink('..', join(root, 'sub', 'loop')); // must not recurse forever or duplicate files

    const engine = makeEngine();
    const updates: JobView[] = [];
    engine.on('jobs:updated', ({ jobs }) => updates.push(...jobs));
    const added = await engine.addPaths([root, join(rig.tmp, 'does-not-exist')]);
    expect(added.jobIds).toHaveLength(3);
    expect(added.skipped).toEqual([{ path: join(rig.tmp, 'does-not-exist'), reason: 'not found' }]);
    await engine.whenIdle();

    const views = engine.list();
    expect(views.map((v) => v.relativePath).sort()).toEqual([...hashes.keys()].sort());
    for (const view of views) {
      expect(view.status.kind).toBe('done');
      expect(view.bytesSent).toBe(view.size);
      expect(await remoteSha(view)).toBe(hashes.get(view.relativePath ?? ''));
    }
    expect(views.find((v) => v.relativePath === 'photos/a.jpg')?.status).toMatchObject({ result: { mimetype: 'image/jpeg' } });
    // Terminal states were pushed, and no view leaks the local path.
    const doneIds = new Set(updates.filter((u) => u.status.kind === 'done').map((u) => u.id));
    expect(doneIds.size).toBe(3);
    expect(JSON.stringify(updates)).not.toContain(rig.tmp);
  });

  it('fails a zero-byte file at once with empty_file and does not retry it', async () => {
    const path = join(rig.tmp, 'empty.txt');
    await writeFile(path, '');
    const engine = makeEngine();
    const { jobIds } = await engine.addPaths([path]);
    const view = engine.get(jobIds[0]!);
    expect(view?.status).toMatchObject({ kind: 'failed', error: { code: 'empty_file', message: 'Skipped: the file is empty', retryable: false } });
    expect(view?.attempts).toBe(0);
    await engine.whenIdle();
  });

  it('fails an unreadable file with permission while the others complete', async () => {
    const dir = join(rig.tmp, 'mixed');
    await mkdir(dir);
    const okHash = await writeRandom(join(dir, 'ok.bin'), 50_000);
    await writeRandom(join(dir, 'locked.bin'), 50_000);
    const opens: string[] = [];
    const fs: EngineFs = {
      ...nodeFs,
      open: async (path) => {
        opens.push(path);
        if (path.endsWith('locked.bin')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        return open(path, 'r');
      },
    };
    const engine = makeEngine({ fs });
    await engine.addPaths([dir]);
    await engine.whenIdle();
    const byName = new Map(engine.list().map((v) => [v.name, v]));
    expect(byName.get('locked.bin')?.status).toMatchObject({ kind: 'failed', error: { code: 'permission', retryable: false } });
    expect(byName.get('locked.bin')?.attempts).toBe(1);
    expect(opens.filter((p) => p.endsWith('locked.bin'))).toHaveLength(1);
    expect(await remoteSha(byName.get('ok.bin'))).toBe(okHash);
  });

  it('pauses, resumes, cancels and retries jobs', async () => {
    const gate = gated(localProvider());
    const engine = makeEngine({ providers: { local: gate.provider }, fileConcurrency: 1 });
    const aHash = await writeRandom(join(rig.tmp, 'pa.bin'), 20_000);
    const bHash = await writeRandom(join(rig.tmp, 'pb.bin'), 20_000);
    const { jobIds } = await engine.addPaths([join(rig.tmp, 'pa.bin'), join(rig.tmp, 'pb.bin')]);
    const [a, b] = jobIds as [string, string];
    await until(() => engine.get(a)?.status.kind === 'uploading' && gate.waiting() === 1);

    engine.pause(b); // queued → paused
    expect(engine.get(b)?.status).toEqual({ kind: 'paused', reason: 'user' });
    engine.pause(a); // uploading → paused, its attempt aborted
    expect(engine.get(a)?.status.kind).toBe('paused');
    expect(() => engine.resume('no-such-job')).toThrow(FerryError);
    expect(() => engine.retry(a)).toThrow(/Cannot apply "retried" to a paused job/);

    engine.resume(a);
    await until(() => engine.get(a)?.status.kind === 'uploading' && gate.waiting() === 1);
    engine.cancel(a);
    expect(engine.get(a)?.status.kind).toBe('canceled');
    await engine.whenIdle(); // b is paused, a canceled: nothing active

    engine.retry(a);
    engine.resume(b);
    await until(() => gate.waiting() === 1);
    gate.releaseAll();
    await until(() => gate.waiting() === 1);
    gate.releaseAll();
    await engine.whenIdle();
    expect(await remoteSha(engine.get(a))).toBe(aHash);
    expect(await remoteSha(engine.get(b))).toBe(bHash);
    // Pause, resume, cancel and the user's Retry are not failed tries: still the first attempt.
    expect(engine.get(a)?.attempts).toBe(1);

    const removed: string[][] = [];
    engine.on('jobs:removed', ({ ids }) => removed.push(ids));
    engine.clearFinished();
    expect(engine.list()).toEqual([]);
    expect(removed).toEqual([expect.arrayContaining([a, b])]);
  });

  it('retries a retryable failure with backoff and then succeeds', async () => {
    const real = localProvider();
    let calls = 0;
    const flaky: Provider = {
      kind: 'local',
      upload: (source, ctx) => {
        calls++;
        if (calls === 1) return Promise.reject(new FerryError(appError('server_error', 'HTTP 503')));
        return real.upload(source, ctx);
      },
    };
    const engine = makeEngine({ providers: { local: flaky } });
    const hash = await writeRandom(join(rig.tmp, 'flaky.bin'), 10_000);
    const seen: string[] = [];
    engine.on('jobs:updated', ({ jobs }) => seen.push(...jobs.map((j) => j.status.kind)));
    const { jobIds } = await engine.addPaths([join(rig.tmp, 'flaky.bin')]);
    await engine.whenIdle();
    const view = engine.get(jobIds[0]!);
    expect(view?.attempts).toBe(2);
    expect(seen).toContain('retrying');
    expect(await remoteSha(view)).toBe(hash);
  });

  it('gives up after the retry budget', async () => {
    let calls = 0;
    const down: Provider = { kind: 'local', upload: () => (calls++, Promise.reject(new FerryError(appError('server_error', 'HTTP 500')))) };
    const engine = makeEngine({ providers: { local: down } });
    await writeRandom(join(rig.tmp, 'down.bin'), 100);
    const { jobIds } = await engine.addPaths([join(rig.tmp, 'down.bin')]);
    await engine.whenIdle();
    expect(engine.get(jobIds[0]!)?.status).toMatchObject({ kind: 'failed', error: { code: 'server_error' } });
    expect(calls).toBe(1 + fastRetry.maxRetries);
  });

  it('refused credentials pause the job and the rest of that destination (paused: auth)', async () => {
    const dir = join(rig.tmp, 'auth');
    await mkdir(dir);
    for (const n of ['1', '2', '3']) await writeRandom(join(dir, `${n}.bin`), 1000);
    const engine = makeEngine({ providers: { local: localProvider('WrongKey0000000000000') }, fileConcurrency: 1 });
    await engine.addPaths([dir]);
    await engine.whenIdle();
    const views = engine.list();
    expect(views).toHaveLength(3);
    for (const v of views) {
      expect(v.status).toMatchObject({ kind: 'paused', reason: 'auth' });
      if (v.status.kind === 'paused') expect(['unauthorized', 'forbidden']).toContain(v.status.error?.code);
    }
    // Only the first file reached the service.
    expect(views.filter((v) => v.attempts > 0)).toHaveLength(1);
  });

  it('maps an unauthorized provider error to paused: auth without retrying', async () => {
    let calls = 0;
    const refusing: Provider = { kind: 'local', upload: () => (calls++, Promise.reject(new FerryError(appError('unauthorized', 'HTTP 401')))) };
    const engine = makeEngine({ providers: { local: refusing } });
    await writeRandom(join(rig.tmp, 'u.bin'), 100);
    const { jobIds } = await engine.addPaths([join(rig.tmp, 'u.bin')]);
    await engine.whenIdle();
    expect(engine.get(jobIds[0]!)?.status).toMatchObject({ kind: 'paused', reason: 'auth', error: { code: 'unauthorized' } });
    expect(calls).toBe(1);
  });

  it('restores jobs a previous run left mid-flight and finishes them', async () => {
    const path = join(rig.tmp, 'restored.bin');
    const hash = await writeRandom(path, 4096);
    const store = createMemoryJobStore();
    store.put({
      id: 'left-over', name: 'restored.bin', relativePath: null, sourcePath: path, size: 4096, destination: 'local',
      status: { kind: 'uploading' }, bytesSent: 1000, attempts: 1, createdAt: 1, updatedAt: 1,
    });
    const engine = makeEngine({ store });
    await engine.whenIdle();
    expect(await remoteSha(engine.get('left-over'))).toBe(hash);
    expect(store.loadAll()[0]?.status.kind).toBe('done');
    // A restart continues the try the crash interrupted; it did not fail.
    expect(engine.get('left-over')?.attempts).toBe(1);
  });
});
