import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TRANSFER_SETTINGS } from '../../src-shared/model/transfer-settings.js';
import { openSettings, SETTINGS_FILE } from '../../src-main/engine/settings-store.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * The Electron host's settings store is the real electron-store (vitest.config.ts inlines it so
 * this mock reaches its `import electron`); only the Electron runtime is faked: app paths and the
 * ipcMain registration electron-store makes for renderer-side stores.
 */
const electron = vi.hoisted(() => ({
  userData: '',
  ipc: [] as string[],
}));
vi.mock('electron', () => {
  const fake = {
    app: { getPath: (name: string) => (name === 'userData' ? electron.userData : '/nonexistent'), getVersion: () => '0.1.0' },
    ipcMain: { on: (channel: string) => void electron.ipc.push(channel) },
    shell: { openPath: async () => '' },
  };
  return { default: fake, ...fake };
});

const { electronSettingsBacking } = await import('../../src-main/hosts/electron/settings-backing.js');
const quiet = { info() {}, warn() {}, error() {} };
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir('ferry-electron-settings-');
  electron.userData = path.join(dir, 'elsewhere');
});
afterAll(async () => removeTempDir(dir));

describe('settings through electron-store (Electron host)', () => {
  it('keeps settings.json in the data dir, round-trips and shares the format with conf', async () => {
    const s = await openSettings({ dir, logger: quiet, backing: electronSettingsBacking });
    expect(s.get()).toEqual(DEFAULT_TRANSFER_SETTINGS);
    s.set({ fileConcurrency: 7, linkFormat: 'markdown' });
    const file = path.join(dir, SETTINGS_FILE);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ ...DEFAULT_TRANSFER_SETTINGS, fileConcurrency: 7, linkFormat: 'markdown' });
    // electron-store ran for real: it registered its renderer bridge with (fake) ipcMain.
    expect(electron.ipc).toContain('electron-store-get-data');
    // The same file opens through plain conf (browser mode, CLI) with the same values.
    expect((await openSettings({ dir, logger: quiet })).get()).toMatchObject({ fileConcurrency: 7, linkFormat: 'markdown' });
  });
});
