import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clipboard } from 'electron';
import { httpRequest } from '../../net/http.js';
import type { FerryApp } from '../compose.js';
import { showChooser } from './dialogs.js';
import type { TrayAction } from '../tray-model.js';
import type { TrayPrefs } from '../tray-state.js';

export type TrayHost = {
  readonly app: FerryApp;
  /** Read fresh for every action: settings, destinations and watch folders also change from the window. */
  prefs(): TrayPrefs;
  showWindow(): void;
  quit(): void;
  log(message: string, fields?: Record<string, unknown>): void;
};

/** Runs one tray action. Failures are logged, never thrown into Electron's menu code. */
export async function runTrayAction(host: TrayHost, action: TrayAction): Promise<void> {
  const engine = host.app.engine;
  try {
    switch (action.type) {
      case 'open-window':
        return host.showWindow();
      case 'upload-files': {
        // Files, not folders: Linux and Windows show a folder picker when asked for both (the app
        // menu has Choose Folder to Upload).
        const picked = await showChooser(null, { kind: 'files' });
        if (picked.length > 0) await engine.addPaths(picked, host.prefs().defaultDestination);
        return;
      }
      case 'upload-clipboard': {
        const file = await clipboardToFile(host.app.dataDir);
        if (file) await engine.addStaged([{ path: file, relativePath: null }], host.prefs().defaultDestination);
        return;
      }
      case 'copy-link':
        return await clipboard.writeText(action.text);
      case 'pause-all':
        return engine.pauseAll();
      case 'resume-all':
        return engine.resumeAll();
      // Saved in settings: the window's switchers show the same choice.
      case 'set-destination':
        host.app.settings.set({ defaultDestination: action.destination });
        return;
      case 'set-link-format':
        host.app.settings.set({ linkFormat: action.format });
        return;
      case 'set-watching':
        // The tray switch turns every watched folder on or off at once.
        for (const folder of host.app.watch.list()) await host.app.watch.setEnabled(folder.id, action.watching);
        return;
      case 'quit':
        return host.quit();
    }
  } catch (thrown) {
    host.log('tray action failed', { action: action.type, error: thrown instanceof Error ? thrown.message : String(thrown) });
  }
}

/**
 * Saves what the clipboard holds as a file in the staging folder: an image as PNG, an http(s)
 * URL downloaded, other text as a .txt. Returns null for an empty clipboard.
 */
async function clipboardToFile(dataDir: string): Promise<string | null> {
  const dir = path.join(dataDir, 'staging', `clip-${randomBytes(6).toString('hex')}`);
  // Electron 45's clipboard is async and item-based, like the web Clipboard API.
  for (const item of await clipboard.read()) {
    const imageType = item.types.find((t) => t.startsWith('image/'));
    if (!imageType) continue;
    const blob = await item.getType(imageType);
    if (!(blob instanceof Blob)) continue;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `clipboard.${imageType.slice('image/'.length).replace(/[^a-z0-9]/gi, '') || 'png'}`);
    await writeFile(file, Buffer.from(await blob.arrayBuffer()));
    return file;
  }
  const text = (await clipboard.readText()).trim();
  if (text === '') return null;
  await mkdir(dir, { recursive: true });
  if (/^https?:\/\/\S+$/i.test(text)) {
    const res = await httpRequest({ method: 'GET', url: text, timeoutMs: 60_000 });
    if (res.status < 200 || res.status >= 300) throw new Error(`Downloading ${text} answered HTTP ${res.status}.`);
    const name = path.basename(new URL(text).pathname) || 'download';
    const file = path.join(dir, name.replace(/[^\w.-]/g, '_'));
    await writeFile(file, res.body);
    return file;
  }
  const file = path.join(dir, 'clipboard.txt');
  await writeFile(file, text);
  return file;
}
