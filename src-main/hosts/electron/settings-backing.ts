import ElectronStore from 'electron-store';
import type { SettingsBackingFactory } from '../../engine/settings-store.js';

/**
 * Settings through electron-store, as the product's design names it. It builds on conf (the
 * store the other hosts use), so the file, its format and its atomic writes are the same; the
 * data dir (Electron's userData) is passed as `cwd`, keeping `settings.json` where it always was.
 */
export const electronSettingsBacking: SettingsBackingFactory = (o) =>
  new ElectronStore<Record<string, unknown>>({
    cwd: o.cwd,
    name: o.name,
    configFileMode: o.fileMode,
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
  });
