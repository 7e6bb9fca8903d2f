import { execFileSync } from 'node:child_process';
import { appendFile, copyFile, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appError, FerryError } from '../../src-shared/errors.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { createMemoryJournal } from '../../src-main/engine/journal/memory-journal.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { Logger, Provider } from '../../src-main/engine/ports.js';
import type { Engine, EngineDeps } from '../../src-main/engine/types.js';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';
import { useEngineCloud } from '../support/engine-cloud.js';

/**
 * The queue-wide controls a user reaches from the menu and the host's own calls, against the
 * local cloud over loopback: pause all / resume all, clear finished, a destination that goes
 * away, staged files, a file that grew while it waited, and refusals once shutting down.
 */

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const rig = useEngineCloud('ferry-engine-queue-');

const local = (): Provider => createFilestackProvider({ kind: 'local', apikey: 'FerryLocalCloudKey0001', uploadBase: rig.cloud.baseUrl, cdnBase: rig.cloud.baseUrl, fileApiBase: rig.cloud.baseUrl });

/** Holds each upload until the test releases it (an abort rejects it). */
function gated(inner: Provider) {
  const waiting: (() => void)[] = [];
  const provider: Provider = {
    kind: inner.kind,
    async upload(source, ctx) {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        const onAbort = () => {
          const at = waiting.indexOf(resolve);
          if (at >= 0) waiting.splice(at, 1);
          reject(new FerryError(appError('aborted', 'aborted')));
        };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      return inner.upload(source, ctx);
    },
  };
  return { provider, waiting: () => waiting.length, release: () => waiting.shift()?.() };
}

function makeEngine(overrides: Partial<EngineDeps> = {}): Engine {
  const engine = createEngine({ providers: { local: local() }, store: createMemoryJobStore(), clock: { now: () => Date.now() }, logger: quiet, defaultDestination: 'local', fileConcurrency: 1, ...overrides });
  rig.engines.push(engine);
  return engine;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

async function files(prefix: string, n: number): Promise<string[]> {
  const paths = Array.from({ length: n }, (_, i) => join(rig.tmp, `${prefix}-${i}.txt`));
  await Promise.all(paths.map((p, i) => writeFile(p, `${prefix} file ${i}`)));
  return paths;
}

const kinds = (engine: Engine, ids: string[]) => ids.map((id) => engine.get(id)?.status.kind);

describe('queue-wide controls', () => {
  it('pause all stops the running file and the waiting ones; resume all finishes them; clear finished forgets the finished only', async () => {
    const gate = gated(local());
    const engine = makeEngine({ providers: { local: gate.provider } });
    const { jobIds } = await engine.addPaths(await files('pause', 3));
    await until(() => gate.waiting() === 1);
    engine.pauseAll();
    expect(kinds(engine, jobIds)).toEqual(['paused', 'paused', 'paused']);
    engine.resumeAll();
    expect(kinds(engine, jobIds)).toEqual(['queued', 'queued', 'queued']);
    for (let i = 0; i < 3; i++) {
      await until(() => gate.waiting() === 1);
      gate.release();
    }
    await engine.whenIdle();
    expect(kinds(engine, jobIds)).toEqual(['done', 'done', 'done']);

    // One more, held: clear finished must leave it alone.
    const [held] = await files('held', 1);
    const { jobIds: heldIds } = await engine.addPaths([held!]);
    await until(() => gate.waiting() === 1);
    const removed: string[][] = [];
    engine.on('jobs:removed', ({ ids }) => removed.push([...ids]));
    engine.clearFinished();
    engine.clearFinished(); // nothing left to clear: no second push
    expect(removed).toEqual([jobIds]);
    expect(engine.list().map((j) => j.id)).toEqual(heldIds);
    expect(jobIds.map((id) => engine.get(id))).toEqual([undefined, undefined, undefined]);
    gate.release();
    await engine.whenIdle();
  });

  it('a destination removed while files wait fails them as unsupported, and adding to it is refused until it is back', async () => {
    const gate = gated(local());
    const engine = makeEngine({ providers: { local: gate.provider } });
    const { jobIds } = await engine.addPaths(await files('gone', 2));
    await until(() => gate.waiting() === 1);
    engine.setProvider('local', null);
    gate.release();
    await engine.whenIdle();
    expect(engine.get(jobIds[1]!)?.status).toMatchObject({ kind: 'failed', error: { code: 'unsupported', message: 'No local destination is configured.', retryable: false } });
    await expect(engine.addPaths(await files('refused', 1))).rejects.toMatchObject({ error: { code: 'unsupported', message: 'No local destination is configured.' } });
    engine.setProvider('local', local());
    engine.retry(jobIds[1]!);
    await engine.whenIdle();
    expect(kinds(engine, jobIds)).toEqual(['done', 'done']);
  });

  it('staged files keep the name, folder path and batch the host gave; the file that grew while it waited goes up whole', async () => {
    const gate = gated(local());
    const engine = makeEngine({ providers: { local: gate.provider } });
    const [first, grows] = await files('staged', 2);
    const { jobIds, skipped } = await engine.addStaged(
      [
        { path: first!, relativePath: 'trip/day1/photo one.txt', name: 'photo one.txt' },
        { path: grows!, relativePath: null },
      ],
      undefined,
      { batchId: 'drop-7', watchFolderId: 'w-1' },
    );
    expect(skipped).toEqual([]);
    await until(() => gate.waiting() === 1);
    await appendFile(grows!, ' and then some');
    gate.release();
    await until(() => gate.waiting() === 1);
    gate.release();
    await engine.whenIdle();
    const [a, b] = jobIds.map((id) => engine.get(id)!);
    expect([a?.name, a?.relativePath, a?.batchId, a?.watchFolderId]).toEqual(['photo one.txt', 'trip/day1/photo one.txt', 'drop-7', 'w-1']);
    expect(b?.size).toBe('staged file 1 and then some'.length);
    if (b?.status.kind !== 'done') throw new Error(`not done: ${b?.status.kind}`);
    expect(await (await fetch(b.status.result.url)).text()).toBe('staged file 1 and then some');
  });

  it('with a journal: the same file again and a copy of it are duplicates with the first link, upload anyway sends it, a same-size other file uploads', async () => {
    const journal = createMemoryJournal({ mode: 'memory', error: { code: 'internal', message: 'test', retryable: false } }, quiet);
    const engine = makeEngine({ store: journal });
    const [a, other] = [join(rig.tmp, 'dedupe-a.txt'), join(rig.tmp, 'dedupe-other.txt')];
    await writeFile(a, 'the very same bytes');
    await writeFile(other, 'other bytes same 19'); // the same size: only the content tells them apart
    const first = (await engine.addPaths([a])).jobIds[0]!;
    await engine.whenIdle();
    const firstView = engine.get(first)!;
    if (firstView.status.kind !== 'done') throw new Error(`first upload ${firstView.status.kind}`);
    const copy = join(rig.tmp, 'dedupe-copy.txt');
    await copyFile(a, copy);
    const { jobIds } = await engine.addPaths([a, copy, other]);
    await engine.whenIdle();
    expect(kinds(engine, jobIds)).toEqual(['duplicate', 'duplicate', 'done']);
    for (const id of jobIds.slice(0, 2)) expect(engine.get(id)?.status).toMatchObject({ existing: { url: firstView.status.result.url } });
    engine.uploadAnyway(jobIds[1]!);
    await engine.whenIdle();
    const again = engine.get(jobIds[1]!)!;
    if (again.status.kind !== 'done') throw new Error(`upload anyway ${again.status.kind}`);
    expect(again.status.result.url).not.toBe(firstView.status.result.url);
    expect(await (await fetch(again.status.result.url)).text()).toBe('the very same bytes');
  });

  it('a file emptied, or replaced by a folder or a FIFO, while it waited fails with that reason when its turn comes', async () => {
    const gate = gated(local());
    const engine = makeEngine({ providers: { local: gate.provider } });
    const [hold, emptied, replaced, fifo] = await files('changed', 4);
    const { jobIds } = await engine.addPaths([hold!, emptied!, replaced!, fifo!]);
    await until(() => gate.waiting() === 1);
    await truncate(emptied!, 0);
    await rm(replaced!);
    await mkdir(replaced!);
    // Opening a FIFO for reading blocks until a writer comes: the engine must not wait for one.
    await rm(fifo!);
    execFileSync('mkfifo', [fifo!]);
    gate.release();
    await engine.whenIdle();
    expect(jobIds.map((id) => engine.get(id)?.status)).toMatchObject([
      { kind: 'done' },
      { kind: 'failed', error: { code: 'empty_file', message: 'Skipped: the file is empty', retryable: false } },
      { kind: 'failed', error: { code: 'not_a_file', message: 'The path is not a regular file.', retryable: false } },
      { kind: 'failed', error: { code: 'not_a_file', message: 'The path is not a regular file.', retryable: false } },
    ]);
  });

  it('files at once follow the setting; once closing, nothing new is taken and the queue is kept', async () => {
    const engine = makeEngine();
    expect(engine.concurrency()).toMatchObject({ target: 1 });
    engine.setFileConcurrency(4);
    expect(engine.concurrency()).toMatchObject({ target: 4 });
    await engine.close();
    await expect(engine.addPaths(await files('late', 1))).rejects.toMatchObject({ error: { code: 'aborted', message: 'Ferry is shutting down.' } });
    await expect(engine.addStaged([{ path: join(rig.tmp, 'late-0.txt'), relativePath: null }])).rejects.toBeInstanceOf(FerryError);
    await engine.close(); // twice is harmless
  });
});
