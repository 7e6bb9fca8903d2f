import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
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
    const s = await openSettings({ dir, logger: quiet });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    const heard: number[] = [];
    s.onChange((next) => heard.push(next.fileConcurrency));
    expect(s.set({ fileConcurrency: 5, bandwidthLimit: 1_000_000 })).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 5, partConcurrency: 3, bandwidthLimit: 1_000_000 });
    expect(heard).toEqual([5]);
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]); // no temp file left behind
    expect((await openSettings({ dir, logger: quiet })).get()).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 5, partConcurrency: 3, bandwidthLimit: 1_000_000 });
  });

  it('refuses bad values with a typed bad_request, through the contract and directly', async () => {
    const dir = await freshDir();
    const s = await openSettings({ dir, logger: quiet });
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

  it('says which field is bad; undefined fields leave values alone; a throwing listener is logged and the rest still hear; an unsubscribed one hears nothing', async () => {
    const dir = await freshDir();
    const errors: [string, Record<string, unknown> | undefined][] = [];
    const s = await openSettings({ dir, logger: { ...quiet, error: (m, fields) => void errors.push([m, fields]) } });
    let refused: unknown;
    try {
      s.set({ fileConcurrency: 0 });
    } catch (e) {
      refused = e;
    }
    expect((refused as FerryError).error).toMatchObject({ code: 'bad_request', retryable: false, message: expect.stringMatching(/^Invalid settings: fileConcurrency: \S/) });

    const heard: string[] = [];
    s.onChange(() => {
      throw new Error('listener bug');
    });
    const off = s.onChange((next) => heard.push(`gone ${next.fileConcurrency}`));
    s.onChange((next) => heard.push(`kept ${next.fileConcurrency}`));
    expect(s.set({ fileConcurrency: 7 }).fileConcurrency).toBe(7);
    off();
    expect(s.set({ fileConcurrency: undefined, theme: 'dark' })).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 7, partConcurrency: 3, theme: 'dark' });
    expect(heard).toEqual(['gone 7', 'kept 7', 'kept 7']);
    expect(errors).toEqual([
      ['settings listener threw', { error: 'Error: listener bug' }],
      ['settings listener threw', { error: 'Error: listener bug' }],
    ]);
  });

  it('a settings file that cannot be read (a folder in its place) is warned about by code, and changes are refused, not lost silently', async () => {
    const dir = await freshDir();
    await mkdir(path.join(dir, SETTINGS_FILE));
    const warnings: [string, Record<string, unknown> | undefined][] = [];
    const s = await openSettings({ dir, logger: { ...quiet, warn: (m, fields) => void warnings.push([m, fields]) } });
    expect(warnings).toEqual([['settings: unreadable, using defaults', { code: 'EISDIR' }]]);
    expect(s.recovered).toBeNull();
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    expect(() => s.set({ fileConcurrency: 2 })).toThrow(/Could not save the settings/);
  });

  it.each([
    ['garbage', '\u0000\u0001 not json at all'],
    ['truncated JSON', '{"fileConcurrency": 3, "partConc'],
    ['wrong schema', JSON.stringify({ fileConcurrency: 99, partConcurrency: 3, bandwidthLimit: 0 })],
    ['foreign shape', JSON.stringify([1, 2, 3])],
    ['JSON null', 'null'],
    ['bare number', '42'],
  ])('a %s settings file is moved aside (kept) and defaults are used', async (_label, text) => {
    const dir = await freshDir();
    await writeFile(path.join(dir, SETTINGS_FILE), text);
    const errors: { message: string; fields?: Record<string, unknown> }[] = [];
    const s = await openSettings({ dir, logger: { ...quiet, error: (message, fields) => void errors.push({ message, fields }) } });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    expect(s.recovered?.error.code).toBe('integrity');
    const kept = s.recovered?.movedTo ?? '';
    expect(path.basename(kept)).toMatch(/^settings\.json\.corrupt-/);
    expect(await readFile(kept, 'utf8')).toBe(text);
    // The log says so, naming the copy it kept.
    expect(errors).toEqual([{ message: 'settings: bad settings file moved aside, using defaults', fields: { movedTo: kept, reason: expect.any(String) } }]);
    // Usable right away: a change writes a fresh, valid file.
    s.set({ fileConcurrency: 4 });
    expect((await openSettings({ dir, logger: quiet })).recovered).toBeNull();
  });
});

describe('settings through conf (electron-store\'s core)', () => {
  it('takes over the settings.json an earlier release wrote: values kept, newer fields defaulted', async () => {
    const dir = await freshDir();
    // Exactly what the hand-written writer produced: 2-space JSON and a newline, before theme etc. existed.
    const legacy = `${JSON.stringify({ fileConcurrency: 6, partConcurrency: 8, bandwidthLimit: 250_000 }, null, 2)}\n`;
    await writeFile(path.join(dir, SETTINGS_FILE), legacy, { mode: 0o600 });
    const s = await openSettings({ dir, logger: quiet });
    expect(s.recovered).toBeNull();
    expect(s.get()).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 6, partConcurrency: 8, bandwidthLimit: 250_000 });
    // Opening alone rewrites nothing.
    expect(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')).toBe(legacy);
    s.set({ theme: 'dark' });
    const written = JSON.parse(await readFile(path.join(dir, SETTINGS_FILE), 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 6, partConcurrency: 8, bandwidthLimit: 250_000, theme: 'dark' });
    expect((await openSettings({ dir, logger: quiet })).get().theme).toBe('dark');
  });

  it('writes through conf: a new file replaces the old by rename (atomic), private to the user, nothing left behind', async () => {
    const dir = await freshDir();
    const s = await openSettings({ dir, logger: quiet });
    expect(await readdir(dir)).toEqual([]); // defaults need no file
    s.set({ fileConcurrency: 3 });
    const first = await stat(path.join(dir, SETTINGS_FILE));
    expect(first.mode & 0o777).toBe(0o600);
    s.set({ fileConcurrency: 4 });
    const second = await stat(path.join(dir, SETTINGS_FILE));
    // Never rewritten in place: a crash mid-write leaves the old file whole.
    expect(second.ino).not.toBe(first.ino);
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    // conf's own bookkeeping key (left by electron-store migrations) is not an error.
    await writeFile(path.join(dir, SETTINGS_FILE), JSON.stringify({ ...DEFAULT_TRANSFER_SETTINGS, __internal__: { migrations: { version: '0.1.0' } } }));
    const again = await openSettings({ dir, logger: quiet });
    expect(again.recovered).toBeNull();
    expect(again.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
  });

  it('a store that cannot open runs on the defaults and refuses changes with a typed error', async () => {
    const dir = await freshDir();
    const errors: [string, Record<string, unknown> | undefined][] = [];
    const s = await openSettings({
      dir,
      logger: { ...quiet, error: (m, fields) => void errors.push([m, fields]) },
      backing: () => {
        throw Object.assign(new Error("EACCES: permission denied, open 'settings.json'"), { code: 'EACCES' });
      },
    });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    // The log names why, so a user's report says which file or folder is at fault.
    expect(errors).toEqual([['settings: store unavailable, using defaults', { error: "EACCES: permission denied, open 'settings.json'" }]]);
    let thrown: unknown;
    try {
      s.set({ fileConcurrency: 2 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).error).toMatchObject({ code: 'internal', retryable: false, message: expect.stringContaining('Could not save the settings: EACCES') });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
  });
});

describe('a bad settings file', () => {
  const T = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const clock = { now: () => T };

  it('is moved aside under a time stamp, never overwritten, and reported with the reason, not the content', async () => {
    const dir = await freshDir();
    const file = path.join(dir, SETTINGS_FILE);
    const stamp = '2026-01-02T03-04-05-678Z';
    const cases: [string, string, string][] = [
      ['{"fileConcurrency": 1', 'not JSON', `${file}.corrupt-${stamp}`],
      ['{"fileConcurrency": "secret-value"}', 'fileConcurrency: ', `${file}.corrupt-${stamp}-1`],
      ['[1,2]', '(root): ', `${file}.corrupt-${stamp}-2`],
    ];
    for (const [text, reason, movedTo] of cases) {
      await writeFile(file, text);
      const s = await openSettings({ dir, logger: quiet, clock });
      expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
      expect(s.recovered?.movedTo).toBe(movedTo);
      expect(await readFile(movedTo, 'utf8')).toBe(text);
      expect(s.recovered?.error).toMatchObject({ code: 'integrity', retryable: false, details: { path: movedTo } });
      expect(s.recovered?.error.message).toContain(`(${reason}`);
      expect(s.recovered?.error.message).toContain(movedTo);
      expect(s.recovered?.error.message).not.toContain('secret-value');
    }
  });

  it('a good file (with conf\'s own bookkeeping key) and a missing file are not "recovered"', async () => {
    const dir = await freshDir();
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (m) => void warnings.push(m) };
    expect((await openSettings({ dir, logger, clock })).recovered).toBeNull();
    await writeFile(path.join(dir, SETTINGS_FILE), JSON.stringify({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 3, __internal__: { migrations: { version: '1' } } }));
    const s = await openSettings({ dir, logger, clock });
    expect(s.recovered).toBeNull();
    expect(s.get().fileConcurrency).toBe(3);
    // A missing file is the normal first start: nothing to warn about.
    expect(warnings).toEqual([]);
  });
});
