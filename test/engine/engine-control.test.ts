import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { JobView } from '../../src-shared/model/job.js';
import { dispatch, type Handlers } from '../../src-shared/ipc/dispatch.js';
import { contentKeyOf } from '../../src-main/engine/content-key.js';
import type * as ContentKeyModule from '../../src-main/engine/content-key.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { nodeFs, type EngineFs } from '../../src-main/engine/file-system.js';
import { createHandlers } from '../../src-main/engine/handlers.js';
import { openJournal, type Journal } from '../../src-main/engine/journal/sqlite-store.js';
import { createMemoryJobStore } from '../../src-main/engine/memory-store.js';
import type { JobStore, Logger, Provider, UploadSource } from '../../src-main/engine/ports.js';
import type { Engine, EngineDeps } from '../../src-main/engine/types.js';
import { WHOLE_READ_MAX } from '../../src-main/engine/whole-read.js';
import type { LocalCloudHooks } from '../../src-main/localcloud/context.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/** Engine controls against the real local cloud: order, 429 back-off, dedupe, resume from the journal. */

// Counts whole-file reads for the key (the pass the old engine made before every upload).
const reads = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src-main/engine/content-key.js', async (importOriginal) => {
  const real = await importOriginal<typeof ContentKeyModule>();
  return {
    ...real,
    contentKeyOfFile: (...args: Parameters<typeof real.contentKeyOfFile>) => {
      reads.n++;
      return real.contentKeyOfFile(...args);
    },
  };
});


const APIKEY = 'FerryLocalCloudKey0001';
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const fastRetry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0 };

let tmp: string;
let cloud: LocalCloud;
const hooks: LocalCloudHooks = {};
const engines: Engine[] = [];
const journals: Journal[] = [];

beforeAll(async () => {
  tmp = await makeTempDir('ferry-engine-control-');
  cloud = await startLocalCloud({ dataDir: join(tmp, 'cloud'), hooks, apps: [{ apikey: APIKEY, intelligentIngestion: true }] });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  for (const j of journals.splice(0)) j.close();
  for (const k of Object.keys(hooks)) delete (hooks as Record<string, unknown>)[k];
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(tmp);
});

const local = (): Provider => createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl });

function makeEngine(overrides: Partial<EngineDeps> & { store?: JobStore } = {}): Engine {
  const engine = createEngine({
    providers: { local: local() },
    store: createMemoryJobStore(),
    clock: { now: () => Date.now() },
    logger: quiet,
    defaultDestination: 'local',
    retry: fastRetry,
    ...overrides,
  });
  engines.push(engine);
  return engine;
}

function journalIn(dir: string): Journal {
  const j = openJournal({ dir });
  journals.push(j);
  return j;
}

async function remoteSha(view: JobView | undefined): Promise<string> {
  if (view?.status.kind !== 'done') throw new Error(`not done: ${JSON.stringify(view?.status)}`);
  return hashBytes(Buffer.from(await (await fetch(view.status.result.url)).arrayBuffer()));
}

describe('engine control', () => {
  it('moving a waiting job changes which file starts next', async () => {
    const order: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const inner = local();
    const recording: Provider = {
      kind: 'local',
      async upload(source, ctx) {
        order.push(source.name);
        await gate;
        return inner.upload(source, ctx);
      },
    };
    const engine = makeEngine({ providers: { local: recording }, fileConcurrency: 1 });
    const ids: string[] = [];
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) {
      await writeFile(join(tmp, name), `file ${name}`);
      ids.push(...(await engine.addPaths([join(tmp, name)])).jobIds);
    }
    const [, b, c, d] = ids as [string, string, string, string];
    engine.move(d, { toTop: true });
    engine.move(c, { before: b });
    expect(() => engine.move('no-such-job', { toTop: true })).toThrow(FerryError);
    open();
    await engine.whenIdle();
    expect(order).toEqual(['a.txt', 'd.txt', 'c.txt', 'b.txt']);
    expect(engine.list().map((j) => j.name)).toEqual(['d.txt', 'a.txt', 'c.txt', 'b.txt']);
    expect(engine.list().every((j) => j.status.kind === 'done')).toBe(true);
  });

  it('jobs:move and jobs:upload-anyway answer typed errors through the contract', async () => {
    const engine = makeEngine();
    const info = { host: 'web', version: 't', capabilities: { droppedFilePaths: false, streamDroppedFiles: true, nativeDialogs: false }, defaultDestination: 'local' } as const;
    const handlers = createHandlers(engine, info) as unknown as Handlers;
    const code = async (channel: string, payload: unknown) => {
      const r = await dispatch(handlers, channel, payload);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await code('jobs:move', { id: 'a', before: 'b', toTop: true })).toBe('bad_request');
    expect(await code('jobs:move', { id: 'a' })).toBe('bad_request');
    expect(await code('jobs:move', { id: 'a', toTop: false })).toBe('bad_request');
    expect(await code('jobs:move', { id: 'nope', toTop: true })).toBe('not_found');
    expect(await code('jobs:upload-anyway', { id: 'nope' })).toBe('not_found');
    await writeFile(join(tmp, 'm1.txt'), 'one');
    await writeFile(join(tmp, 'm2.txt'), 'two');
    const { jobIds } = await engine.addPaths([join(tmp, 'm1.txt'), join(tmp, 'm2.txt')]);
    expect(await code('jobs:move', { id: jobIds[1], before: jobIds[0] })).toBe('ok');
    expect(await code('jobs:upload-anyway', { id: jobIds[0] })).toBe('invalid_transition');
    await engine.whenIdle();
  });

  it('a 429 lowers the number of files at once; successes restore it', async () => {
    let calls = 0;
    const inner = local();
    const limited: Provider = {
      kind: 'local',
      async upload(source, ctx) {
        if (++calls === 1) throw new FerryError(appError('rate_limited', 'Too many requests', { details: { retryAfterMs: 0 } }));
        return inner.upload(source, ctx);
      },
    };
    const engine = makeEngine({ providers: { local: limited }, fileConcurrency: 4 });
    const paths: string[] = [];
    for (let i = 0; i < 6; i++) {
      paths.push(join(tmp, `rl-${i}.bin`));
      await writeRandomFile(paths[i] as string, 1000 + i);
    }
    const seen: number[] = [];
    engine.on('jobs:updated', () => seen.push(engine.concurrency().current));
    await engine.addPaths(paths);
    await engine.whenIdle();
    expect(Math.min(...seen)).toBe(2);
    expect(engine.concurrency()).toEqual({ target: 4, current: 4 });
    expect(engine.list().every((j) => j.status.kind === 'done')).toBe(true);
  });

  it('dedupe: the same bytes again end as "already uploaded" with the first link; upload anyway uploads anew', async () => {
    const journal = journalIn(join(tmp, 'dedupe'));
    const engine = makeEngine({ store: journal });
    const first = join(tmp, 'photo.jpg');
    const bytes = await writeRandomFile(first, 300_000);
    const [id1] = (await engine.addPaths([first])).jobIds;
    await engine.whenIdle();
    const done = engine.get(id1 as string);
    expect(await remoteSha(done)).toBe(hashBytes(bytes));
    const url = done?.status.kind === 'done' ? done.status.result.url : '';
    expect(journal.history.findUploaded(contentKeyOf(bytes), 'local')).toMatchObject({ jobId: id1, url, sourcePath: first });

    // A copy under another name has the same content: nothing is sent.
    const copy = join(tmp, 'copy of photo.jpg');
    await copyFile(first, copy);
    let partPuts = 0;
    hooks.onPartPut = () => void partPuts++;
    const [id2] = (await engine.addPaths([copy])).jobIds;
    await engine.whenIdle();
    expect(engine.get(id2 as string)?.status).toEqual({
      kind: 'duplicate',
      existing: { url, remoteId: done?.status.kind === 'done' ? done.status.result.remoteId : '', finishedAt: expect.any(Number) },
    });
    expect(partPuts).toBe(0);
    // The state survives a restart (the journal validates it).
    expect(journal.loadAll().find((j) => j.id === id2)?.status.kind).toBe('duplicate');

    engine.uploadAnyway(id2 as string);
    await engine.whenIdle();
    const again = engine.get(id2 as string);
    expect(await remoteSha(again)).toBe(hashBytes(bytes));
    expect(again?.status.kind === 'done' && again.status.result.url).not.toBe(url);
    expect(partPuts).toBe(1);
    expect(journal.history.recent(10).map((e) => e.jobId).sort()).toEqual([id1, id2].sort());
    expect(() => engine.uploadAnyway(id1 as string)).toThrow(/Cannot apply/);
  });

  it('resumes an interrupted multipart upload from the journal without re-sending confirmed parts', async () => {
    const dir = join(tmp, 'resume');
    const file = join(tmp, 'big.bin');
    const bytes = await writeRandomFile(file, 3 * 8 * 1024 * 1024 + 999); // 4 parts
    const puts: number[] = [];
    let hold = true;
    let releaseHeld: (() => void)[] = [];
    hooks.onPartPut = (info) => {
      if (info.status === 200) puts.push(info.part);
    };
    // Parts 3 and 4 wait (until the first engine has gone) so parts 1-2 are the confirmed ones.
    hooks.beforePartAnswer = (info) => (hold && info.part >= 3 ? new Promise<void>((r) => releaseHeld.push(r)) : Promise.resolve());
    const partConcurrency = 2;
    const provider = createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl, partConcurrency });

    const first = makeEngine({ store: journalIn(dir), providers: { local: provider } });
    const [id] = (await first.addPaths([file])).jobIds;
    // Both held parts in flight means both PUT slots were freed: parts 1 and 2 have been answered
    // (waiting for only one held part raced the other slot's answer on a loaded machine).
    for (let i = 0; i < 1000 && releaseHeld.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(puts.sort()).toEqual([1, 2]);
    await first.close(); // like a quit mid-upload
    journals.splice(0).forEach((j) => j.close());
    hold = false;
    releaseHeld.forEach((r) => r());
    releaseHeld = [];

    const journal = journalIn(dir);
    // `uploading` is not written when a job leaves the queue: the journal holds it queued, with
    // its confirmed parts in the checkpoint.
    expect(journal.loadAll()[0]?.status.kind).toBe('queued');
    expect(journal.checkpoint(id as string).load()).toBeDefined();
    const second = makeEngine({ store: journal, providers: { local: provider } });
    await second.whenIdle();
    expect(await remoteSha(second.get(id as string))).toBe(hashBytes(bytes));
    // Parts 1 and 2 were never sent again; 3 (held when the first engine went) at most once more.
    expect(puts.filter((p) => p === 1 || p === 2)).toEqual([1, 2]);
    expect(journal.checkpoint(id as string).load()).toBeUndefined();
  });

  it('a journaled session the server no longer knows restarts cleanly', async () => {
    const dir = join(tmp, 'forgotten');
    const file = join(tmp, 'forgotten.bin');
    const bytes = await writeRandomFile(file, 13 * 1024 * 1024); // 2 parts
    const held: (() => void)[] = [];
    let hold = true;
    let answered = 0;
    hooks.beforePartAnswer = () => (hold ? new Promise<void>((r) => held.push(r)) : Promise.resolve());
    hooks.onPartPut = () => void answered++;
    const first = makeEngine({ store: journalIn(dir) });
    const [id] = (await first.addPaths([file])).jobIds;
    for (let i = 0; i < 1000 && held.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    journals.splice(0).forEach((j) => j.close());
    hold = false;
    held.forEach((r) => r());
    for (let i = 0; i < 1000 && answered < held.length; i++) await new Promise((r) => setTimeout(r, 10));

    // The cloud loses the session (expired, data wiped) while the app is down.
    const journal = journalIn(dir);
    const checkpoint = journal.checkpoint(id as string).load() as { session: { upload_id: string } };
    // A part the first engine aborted may still be landing: retry until the folder is gone.
    for (let i = 0; ; i++) {
      try {
        await cloud.storage.removeUpload(checkpoint.session.upload_id);
        break;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const engine = makeEngine({ store: journal });
    await engine.whenIdle();
    expect(await remoteSha(engine.get(id as string))).toBe(hashBytes(bytes));
    expect(journal.checkpoint(id as string).load()).toBeUndefined();
  });
});

/** An engine on a fresh journal whose provider trusts the local cloud's answers (as compose.ts sets it up). */
function setup(name: string, extra: Partial<FilestackProviderOptions> = {}): { engine: Engine; journal: Journal } {
  const journal = journalIn(join(tmp, name));
  const provider = createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl, verifyFromComplete: true, ...extra });
  return { engine: makeEngine({ providers: { local: provider }, store: journal }), journal };
}

async function upload(engine: Engine, file: string): Promise<string> {
  const [id] = (await engine.addPaths([file])).jobIds;
  await engine.whenIdle();
  return id as string;
}

/**
 * The dedupe key without a pre-hash: nothing reads a file before its first byte goes out unless
 * an earlier upload has its exact size; the very same file dropped again is known by its version
 * (size, mtime, inode) without a read; the key of what was stored comes from the part MD5s.
 */
describe('dedupe by content key', () => {
  it('a file of a new size goes up without a pre-read; its history key is the part-MD5 key', async () => {
    const { engine, journal } = setup('fresh');
    const file = join(tmp, 'fresh.bin');
    const bytes = await writeRandomFile(file, 7 * 1024 * 1024 + 3);
    reads.n = 0;
    const id = await upload(engine, file);
    expect(engine.get(id)?.status.kind).toBe('done');
    expect(reads.n).toBe(0);
    expect(journal.history.findUploaded(contentKeyOf(bytes), 'local')?.jobId).toBe(id);
  });

  it('the same file dropped again is a duplicate without reading it; a copy is found with one read; a same-size other file uploads', async () => {
    const { engine, journal } = setup('again');
    const file = join(tmp, 'photo.bin');
    // Over the whole-read size: small files have their own one-read path (below).
    await writeRandomFile(file, WHOLE_READ_MAX + 300_000);
    const first = await upload(engine, file);
    const done = engine.get(first);
    expect(done?.status.kind).toBe('done');

    let puts = 0;
    hooks.onPartPut = () => void puts++;
    reads.n = 0;
    const again = await upload(engine, file);
    expect(engine.get(again)?.status.kind).toBe('duplicate');
    expect(reads.n).toBe(0);

    const copy = join(tmp, 'photo copy.bin');
    await copyFile(file, copy);
    const copied = await upload(engine, copy);
    expect(engine.get(copied)?.status).toMatchObject({ kind: 'duplicate', existing: { url: done?.status.kind === 'done' ? done.status.result.url : '' } });
    expect(reads.n).toBe(1);
    expect(puts).toBe(0);

    const other = join(tmp, 'other.bin');
    const otherBytes = await writeRandomFile(other, WHOLE_READ_MAX + 300_000);
    const third = await upload(engine, other);
    expect(engine.get(third)?.status.kind).toBe('done');
    expect(reads.n).toBe(2);
    expect(journal.history.findUploaded(contentKeyOf(otherBytes), 'local')?.jobId).toBe(third);
  });

  it('a small file is opened and read once: those bytes are its key and what is sent; the same file again is not read, a copy is read once', async () => {
    const counts = { opens: 0, reads: 0 };
    const fs: EngineFs = {
      ...nodeFs,
      open: async (p) => {
        counts.opens++;
        const fh = await nodeFs.open(p);
        return {
          stat: (o) => fh.stat(o),
          read: (...a) => {
            counts.reads++;
            return fh.read(...a);
          },
          close: () => fh.close(),
        };
      },
    };
    const journal = journalIn(join(tmp, 'whole'));
    // As compose.ts sets the local cloud up: small files go in one store request.
    const real = createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl, verifyFromComplete: true, singleRequestMax: 8 * 1024 * 1024 });
    const sent: UploadSource[] = [];
    const provider: Provider = {
      kind: 'local',
      upload: (source, ctx) => {
        sent.push(source);
        return real.upload(source, ctx);
      },
    };
    const engine = makeEngine({ providers: { local: provider }, store: journal, fs });
    const take = (): { opens: number; reads: number } => {
      const now = { ...counts };
      counts.opens = counts.reads = 0;
      return now;
    };

    const file = join(tmp, 'small.bin');
    const bytes = await writeRandomFile(file, 40_000);
    reads.n = 0;
    const first = await upload(engine, file);
    expect(engine.get(first)?.status.kind).toBe('done');
    expect(take()).toEqual({ opens: 1, reads: 1 });
    expect(sent[0]?.bytes?.equals(bytes)).toBe(true);
    expect(await remoteSha(engine.get(first))).toBe(hashBytes(bytes));
    expect(journal.history.findUploaded(contentKeyOf(bytes), 'local')?.jobId).toBe(first);

    const again = await upload(engine, file);
    expect(engine.get(again)?.status.kind).toBe('duplicate');
    expect(take()).toEqual({ opens: 1, reads: 0 });

    const copy = join(tmp, 'small copy.bin');
    await copyFile(file, copy);
    const copied = await upload(engine, copy);
    expect(engine.get(copied)?.status.kind).toBe('duplicate');
    expect(take()).toEqual({ opens: 1, reads: 1 });

    const other = join(tmp, 'small other.bin');
    const otherBytes = await writeRandomFile(other, 40_000);
    const third = await upload(engine, other);
    expect(engine.get(third)?.status.kind).toBe('done');
    expect(take()).toEqual({ opens: 1, reads: 1 });
    expect(sent.map((s) => s.name)).toEqual(['small.bin', 'small other.bin']);
    expect(await remoteSha(engine.get(third))).toBe(hashBytes(otherBytes));
    // The whole read was the only one: no separate pass for the key.
    expect(reads.n).toBe(0);
  });

  it('a file changed since its upload (same size) is not taken for the old one', async () => {
    const { engine } = setup('changed');
    const file = join(tmp, 'changing.bin');
    await writeRandomFile(file, 50_000);
    await upload(engine, file);
    await writeFile(file, Buffer.alloc(50_000, 7));
    const id = await upload(engine, file);
    expect(engine.get(id)?.status.kind).toBe('done');
  });

  it('a regular upload and an intelligent one give the same key from the hashing they do anyway, so each finds the other\'s bytes', async () => {
    const closeSetup = async (s: { engine: Engine; journal: Journal }): Promise<void> => {
      await s.engine.close();
      engines.splice(engines.indexOf(s.engine), 1);
      s.journal.close();
      journals.splice(journals.indexOf(s.journal), 1);
    };
    const first = join(tmp, 'cross-a.bin');
    const second = join(tmp, 'cross-b.bin');
    // Three 8 MiB parts (blocks) and a short last one on either path.
    const a = await writeRandomFile(first, 17 * 1024 * 1024 + 5);
    const b = await writeRandomFile(second, 17 * 1024 * 1024 + 5);

    // a: regular first, then a copy of it with intelligent ingestion.
    let s = setup('cross');
    reads.n = 0;
    const regularA = await upload(s.engine, first);
    const doneA = s.engine.get(regularA)?.status;
    expect(doneA?.kind).toBe('done');
    expect(reads.n).toBe(0);
    expect(s.journal.history.findUploaded(contentKeyOf(a), 'local')?.jobId).toBe(regularA);
    await closeSetup(s);
    s = setup('cross', { intelligent: true });
    await copyFile(first, `${first}.copy`);
    const fiiA = await upload(s.engine, `${first}.copy`);
    expect(s.engine.get(fiiA)?.status).toMatchObject({ kind: 'duplicate', existing: { url: doneA?.kind === 'done' ? doneA.result.url : '' } });
    expect(reads.n).toBe(1); // the pre-check: an earlier upload has this size

    // b: intelligent first (its key from the chunks, no read), then a copy the regular way.
    reads.n = 0;
    const fiiB = await upload(s.engine, second);
    const doneB = s.engine.get(fiiB)?.status;
    expect(doneB?.kind).toBe('done');
    expect(reads.n).toBe(1); // the same-size pre-check (a is that size), not a key pass after the upload
    expect(s.journal.history.findUploaded(contentKeyOf(b), 'local')?.jobId).toBe(fiiB);
    await closeSetup(s);
    s = setup('cross');
    let parts = 0;
    hooks.onPartPut = () => void parts++;
    await copyFile(second, `${second}.copy`);
    const regularB = await upload(s.engine, `${second}.copy`);
    expect(s.engine.get(regularB)?.status).toMatchObject({ kind: 'duplicate', existing: { url: doneB?.kind === 'done' ? doneB.result.url : '' } });
    expect(parts).toBe(0);
  });

  it('intelligent ingestion (8 MiB parts sent as whole-part chunks: the key blocks) builds its key from the chunks it sends: no read of the file for it', async () => {
    const { engine, journal } = setup('fii', { intelligent: true });
    const file = join(tmp, 'fii.bin');
    const bytes = await writeRandomFile(file, 20 * 1024 * 1024 + 3);
    reads.n = 0;
    const id = await upload(engine, file);
    expect(engine.get(id)?.status.kind).toBe('done');
    expect(reads.n).toBe(0);
    const done = engine.get(id)?.status;
    expect(done?.kind === 'done' ? done.result.contentKey : null).toBe(contentKeyOf(bytes));
    expect(journal.history.findUploaded(contentKeyOf(bytes), 'local')?.jobId).toBe(id);
  });
});
