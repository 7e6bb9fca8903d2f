import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { DEFAULT_TRANSFER_SETTINGS } from '../../src-shared/model/transfer-settings.js';
import { createApp } from '../../src-main/hosts/compose.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Reliability matrix row 8 through createApp: a garbage journal and a garbage settings file.
 * The app starts, both bad files are kept aside, defaults apply, uploads work, and nothing is
 * thrown past the app (no uncaught exceptions or unhandled rejections).
 */

let tmp: string;
let cloud: LocalCloud;

beforeAll(async () => {
  tmp = await makeTempDir('ferry-corrupt-');
  cloud = await startLocalCloud({ dataDir: path.join(tmp, 'cloud') });
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(tmp);
});

describe('corrupt persisted state (row 8)', () => {
  it.each([
    ['garbage', Buffer.from('this is not a database, just bytes \u0000\u00ff'), '{{{{ not json'],
    ['truncated', Buffer.from('SQLite format 3\u0000'), '{"fileConcurrency": 4, "partConc'],
    ['junk journal, wrong-schema', Buffer.alloc(4096, 7), JSON.stringify({ fileConcurrency: 'many', partConcurrency: 3, bandwidthLimit: 0 })],
  ])('%s journal + settings: the app starts usable and keeps the bad files', async (label, journalBytes, settingsText) => {
    const dataDir = path.join(tmp, label.replace(/\s/g, '-'));
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'journal.db'), journalBytes);
    await writeFile(path.join(dataDir, 'settings.json'), settingsText);

    const uncaught: unknown[] = [];
    const onError = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    try {
      const app = await createApp({ dataDir, host: 'web', localCloudUrl: cloud.baseUrl, allowedRoots: [tmp] });
      try {
        expect(app.settings.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
        expect(app.settings.recovered?.error.code).toBe('integrity');
        expect(app.engine.concurrency().target).toBe(DEFAULT_TRANSFER_SETTINGS.fileConcurrency);

        // Usable: the contract answers and an upload completes with the right bytes.
        const file = path.join(tmp, `${label}.bin`);
        const bytes = await writeRandomFile(file, 10_000);
        const added = await dispatch(app.handlers, 'jobs:add-paths', { paths: [file] });
        expect(added.ok).toBe(true);
        await app.engine.whenIdle();
        const [job] = app.engine.list();
        expect(job?.status.kind).toBe('done');
        if (job?.status.kind === 'done') {
          expect(hashBytes(Buffer.from(await (await fetch(job.status.result.url)).arrayBuffer()))).toBe(hashBytes(bytes));
        }
        const set = await dispatch(app.handlers, 'settings:set', { fileConcurrency: 3 });
        expect(set).toMatchObject({ ok: true, value: { fileConcurrency: 3 } });
        expect(app.engine.concurrency().target).toBe(3);
      } finally {
        await app.close();
      }

      // Both bad files are kept, byte for byte, next to the fresh ones.
      const names = await readdir(dataDir);
      const keptJournal = names.find((n) => /^journal\.db\.corrupt-[^-]/.test(n) && !n.endsWith('-wal') && !n.endsWith('-shm'));
      const keptSettings = names.find((n) => n.startsWith('settings.json.corrupt-'));
      expect(keptJournal).toBeDefined();
      expect(keptSettings).toBeDefined();
      expect(await readFile(path.join(dataDir, keptJournal as string))).toEqual(journalBytes);
      expect(await readFile(path.join(dataDir, keptSettings as string), 'utf8')).toBe(settingsText);
      expect(JSON.parse(await readFile(path.join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ fileConcurrency: 3 });
      // Next start is clean: nothing more moved aside.
      const again = await createApp({ dataDir, host: 'web', localCloudUrl: cloud.baseUrl });
      expect(again.settings.recovered).toBeNull();
      expect(again.engine.list().map((j) => j.status.kind)).toEqual(['done']);
      await again.close();
    } finally {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    }
    expect(uncaught).toEqual([]);
  }, 20_000);
});
