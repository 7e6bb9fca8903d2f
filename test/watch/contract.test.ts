import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createFoldersStore, FOLDERS_FILE } from '../../src-main/watch/folders-store.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { startRig, type WatchRig } from './support.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('watch channels and settings', () => {
  let rig: WatchRig | null = null;
  afterEach(async () => {
    await rig?.close();
    rig = null;
  });

  it('add / update / set-enabled / list / remove through dispatch, strict payloads', async () => {
    rig = await startRig();
    const h = rig.app.handlers;
    const added = await dispatch(h, 'watch:add', { path: rig.root, remotePathTemplate: '{folder}/{yyyy}/{name}', exclude: ['**/*.raw'] });
    expect(added.ok).toBe(true);
    const id = (added as { ok: true; value: { id: string } }).value.id;
    for (const bad of [
      { path: 'relative/dir' },
      { path: rig.root, extra: 1 },
      { path: rig.root, remotePathTemplate: '{nope}/{name}' },
      { path: rig.root, afterUpload: { kind: 'move' } },
      { path: '/etc' }, // outside the allowed roots
    ]) {
      const res = await dispatch(h, 'watch:add', bad);
      expect(res.ok, JSON.stringify(bad)).toBe(false);
    }
    const overlap = await dispatch(h, 'watch:add', { path: path.join(rig.root) });
    expect(overlap).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await dispatch(h, 'watch:update', { id, recursive: false })).toMatchObject({ ok: true, value: { recursive: false } });
    expect(await dispatch(h, 'watch:update', { id, path: '/elsewhere' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await dispatch(h, 'watch:set-enabled', { id, enabled: false })).toMatchObject({ ok: true, value: { enabled: false, watching: false } });
    expect(await dispatch(h, 'watch:list', {})).toMatchObject({ ok: true, value: { folders: [{ id, enabled: false }] } });
    expect(await dispatch(h, 'watch:remove', { id: 'no-such-id' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch(h, 'watch:remove', { id })).toEqual({ ok: true, value: null });
    expect(await dispatch(h, 'watch:list', {})).toEqual({ ok: true, value: { folders: [] } });
  });

  it('a corrupt settings file is moved aside and Ferry starts with no folders', async () => {
    const dir = await makeTempDir('ferry-watch-store-');
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, FOLDERS_FILE), '{"version":1,"folders":[{"id":"x"');
      const store = createFoldersStore(dir, silent);
      expect(await store.load()).toEqual([]);
      const names = await readdir(dir);
      expect(names.some((n) => n.startsWith(`${FOLDERS_FILE}.corrupt-`))).toBe(true);
      const folder = {
        id: 'f1',
        path: dir,
        enabled: true,
        destination: 'local' as const,
        remotePathTemplate: '{path}',
        include: [],
        exclude: [],
        recursive: true,
        afterUpload: { kind: 'keep' as const },
      };
      await store.save([folder]);
      expect(JSON.parse(await readFile(path.join(dir, FOLDERS_FILE), 'utf8'))).toEqual({ version: 1, folders: [folder] });
      expect(await createFoldersStore(dir, silent).load()).toEqual([folder]);
    } finally {
      await removeTempDir(dir);
    }
  });
});
