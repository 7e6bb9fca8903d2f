import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { dispatch, type Handlers } from '../../src-shared/ipc/dispatch.js';
import { DEFAULT_TRANSFER_SETTINGS } from '../../src-shared/model/transfer-settings.js';
import { createSettingsHandlers } from '../../src-main/engine/settings-handlers.js';
import { openSettings, SETTINGS_FILE } from '../../src-main/engine/settings-store.js';
import type { Logger } from '../../src-main/engine/ports.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let tmp: string;
let n = 0;
const freshDir = async (): Promise<string> => {
  const dir = path.join(tmp, `d${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  tmp = await makeTempDir('ferry-settings-');
});
afterAll(async () => {
  await removeTempDir(tmp);
});

describe('transfer settings', () => {
  it('starts from defaults, persists changes atomically, and notifies listeners', async () => {
    const dir = await freshDir();
    const s = openSettings({ dir, logger: quiet });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    const heard: number[] = [];
    s.onChange((next) => heard.push(next.fileConcurrency));
    expect(s.set({ fileConcurrency: 5, bandwidthLimit: 1_000_000 })).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 5, partConcurrency: 3, bandwidthLimit: 1_000_000 });
    expect(heard).toEqual([5]);
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]); // no temp file left behind
    expect(openSettings({ dir, logger: quiet }).get()).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 5, partConcurrency: 3, bandwidthLimit: 1_000_000 });
  });

  it('refuses bad values with a typed bad_request, through the contract and directly', async () => {
    const dir = await freshDir();
    const s = openSettings({ dir, logger: quiet });
    const handlers = createSettingsHandlers(s) as unknown as Handlers;
    const bad: unknown[] = [
      { fileConcurrency: 0 },
      { fileConcurrency: 17 },
      { fileConcurrency: 1.5 },
      { partConcurrency: 21 },
      { partConcurrency: 0 },
      { bandwidthLimit: -1 },
      { bandwidthLimit: '100' },
      { fileConcurrency: 2, extra: true },
      null,
    ];
    for (const payload of bad) {
      const r = await dispatch(handlers, 'settings:set', payload);
      expect(r.ok, JSON.stringify(payload)).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('bad_request');
      expect(() => s.set(payload)).toThrow(FerryError);
    }
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    const ok = await dispatch(handlers, 'settings:set', { partConcurrency: 20, fileConcurrency: 16, bandwidthLimit: 0 });
    expect(ok).toEqual({ ok: true, value: { ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 16, partConcurrency: 20, bandwidthLimit: 0 } });
    expect(await dispatch(handlers, 'settings:get', {})).toEqual(ok);
  });

  it.each([
    ['garbage', '\u0000\u0001 not json at all'],
    ['truncated JSON', '{"fileConcurrency": 3, "partConc'],
    ['wrong schema', JSON.stringify({ fileConcurrency: 99, partConcurrency: 3, bandwidthLimit: 0 })],
    ['foreign shape', JSON.stringify([1, 2, 3])],
  ])('a %s settings file is moved aside (kept) and defaults are used', async (_label, text) => {
    const dir = await freshDir();
    await writeFile(path.join(dir, SETTINGS_FILE), text);
    const errors: string[] = [];
    const s = openSettings({ dir, logger: { ...quiet, error: (m) => void errors.push(m) } });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    expect(s.recovered?.error.code).toBe('integrity');
    const kept = s.recovered?.movedTo ?? '';
    expect(path.basename(kept)).toMatch(/^settings\.json\.corrupt-/);
    expect(await readFile(kept, 'utf8')).toBe(text);
    expect(errors).toHaveLength(1);
    // Usable right away: a change writes a fresh, valid file.
    s.set({ fileConcurrency: 4 });
    expect(openSettings({ dir, logger: quiet }).recovered).toBeNull();
  });
});
