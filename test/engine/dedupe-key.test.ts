import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { contentKeyOf } from '../../src-main/engine/content-key.js';
import type * as ContentKeyModule from '../../src-main/engine/content-key.js';
import { createEngine } from '../../src-main/engine/engine.js';
import { openJournal, type Journal } from '../../src-main/engine/journal/sqlite-store.js';
import type { Engine } from '../../src-main/engine/types.js';
import type { LocalCloudHooks } from '../../src-main/localcloud/context.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../../src-main/providers/filestack/provider.js';
import { writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * The dedupe key without a pre-hash: nothing reads a file before its first byte goes out unless
 * an earlier upload has its exact size; the very same file dropped again is known by its version
 * (size, mtime, inode) without a read; the key of what was stored comes from the part MD5s.
 */

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
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let tmp: string;
let cloud: LocalCloud;
const hooks: LocalCloudHooks = {};
const engines: Engine[] = [];
const journals: Journal[] = [];

beforeAll(async () => {
  tmp = await makeTempDir('ferry-dedupe-key-');
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

function setup(name: string, extra: Partial<FilestackProviderOptions> = {}): { engine: Engine; journal: Journal } {
  const journal = openJournal({ dir: join(tmp, name) });
  journals.push(journal);
  const provider = createFilestackProvider({ kind: 'local', apikey: APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl, verifyFromComplete: true, ...extra });
  const engine = createEngine({ providers: { local: provider }, store: journal, clock: { now: () => Date.now() }, logger: quiet, defaultDestination: 'local' });
  engines.push(engine);
  return { engine, journal };
}

async function upload(engine: Engine, file: string): Promise<string> {
  const [id] = (await engine.addPaths([file])).jobIds;
  await engine.whenIdle();
  return id as string;
}

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
    await writeRandomFile(file, 300_000);
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
    const otherBytes = await writeRandomFile(other, 300_000);
    const third = await upload(engine, other);
    expect(engine.get(third)?.status.kind).toBe('done');
    expect(reads.n).toBe(2);
    expect(journal.history.findUploaded(contentKeyOf(otherBytes), 'local')?.jobId).toBe(third);
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

  it('intelligent ingestion (chunks, not key blocks) reads the file once after the upload for its key', async () => {
    const { engine, journal } = setup('fii', { intelligent: true });
    const file = join(tmp, 'fii.bin');
    const bytes = await writeRandomFile(file, 9 * 1024 * 1024);
    reads.n = 0;
    const id = await upload(engine, file);
    expect(engine.get(id)?.status.kind).toBe('done');
    expect(reads.n).toBe(1);
    expect(journal.history.findUploaded(contentKeyOf(bytes), 'local')?.jobId).toBe(id);
  });
});
