import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, Notification, type BrowserWindow } from 'electron';
import { eventNames } from './contract-names.js';
import { guardWebContents, hardenSession, setExternalOrigins } from './guards.js';
import { pushEvent, registerContract } from './ipc.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { createBatchTracker, type Notice } from '../batch-notices.js';
import { createMediaNoticeTracker, type MediaNotice } from '../media-notices.js';
import { trayPrefsOf } from '../tray-prefs.js';
import { deriveTrayState } from '../tray-state.js';
import { createTray } from './tray.js';
import { runTrayAction, type TrayHost } from './tray-actions.js';
import { createMainWindow } from './window.js';
import { createApp, type FerryApp } from '../compose.js';
import { electronSettingsBacking } from './settings-backing.js';

/**
 * The Electron shell: lifecycle only. Bundled to dist/main/electron-main.js (ESM); the preload
 * (preload.cjs) and the renderer (../renderer) sit next to it. Everything else is the engine,
 * built by the composition root exactly as the web host builds it.
 */

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(mainDir, '..', 'renderer');
const preloadPath = path.join(mainDir, 'preload.cjs');
/** assets/ is packaged next to package.json (see electron-builder.yml `files`). */
const assetsDir = path.join(app.getAppPath(), 'assets');

let ferry: FerryApp | null = null;
let mainWindow: BrowserWindow | null = null;
let tray: ReturnType<typeof createTray> | null = null;
let quitting = false;

/** Logs through the app's logger once it exists; before that (startup failure) to stderr. */
function log(message: string, fields?: Record<string, unknown>): void {
  if (ferry !== null) ferry.logger.warn(message, fields);
  else console.error(`[ferry] ${message}`, fields ?? '');
}

function showWindow(): void {
  if (mainWindow === null || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow({ preloadPath, iconPath: path.join(assetsDir, 'icon.png') });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** A native notification; clicking it brings the window forward and shows the item in it. */
function notify(notice: Notice | MediaNotice): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title: notice.title, body: notice.body, silent: notice.kind === 'batch-done' });
  n.on('click', () => {
    const fresh = mainWindow === null;
    showWindow();
    const view = notice.kind === 'av-ready' || notice.kind === 'av-failed' ? 'media' : 'queue';
    const id = notice.jobId;
    if (id === null) return;
    const reveal = (): void => ferry?.reveal({ view, id });
    // A window opened by this click subscribes while it loads: reveal once it has.
    if (fresh && mainWindow !== null) mainWindow.webContents.once('did-finish-load', reveal);
    else reveal();
  });
  n.show();
}

/** Tray menu, tooltip and batch notifications, all derived from the engine's job list. */
function startTray(app_: FerryApp): void {
  const host: TrayHost = {
    app: app_,
    prefs: () => trayPrefsOf(app_),
    showWindow,
    quit: () => app.quit(),
    log,
  };
  const batches = createBatchTracker();
  tray = createTray(path.join(assetsDir, 'tray'), {
    state: () => deriveTrayState(app_.engine.list(), host.prefs()),
    dispatch: (action) => {
      void runTrayAction(host, action).then(() => tray?.refresh());
    },
    onClick: showWindow,
  });
  app_.engine.on('jobs:updated', () => {
    tray?.refresh();
    const notice = batches.update(app_.engine.list());
    if (notice) notify(notice);
  });
  // The window changes settings too; the menu is rebuilt from them on every refresh.
  app_.settings.onChange(() => tray?.refresh());
  const media = createMediaNoticeTracker();
  app_.on('media:updated', ({ jobs }) => {
    for (const notice of media.update(jobs)) notify(notice);
  });
}

async function start(): Promise<void> {
  serveRenderer(rendererDir);
  ferry = await createApp({ dataDir: app.getPath('userData'), host: 'electron', version: app.getVersion(), settingsBacking: electronSettingsBacking });
  // Links to files in the local cloud open in the browser like CDN links do.
  setExternalOrigins([new URL(ferry.localCloud.baseUrl).origin]);
  registerContract(ipcMain, ferry.handlers, {
    onRejected: (channel, senderUrl) => log('refused IPC call', { channel, senderUrl }),
  });
  // Forward every contract event to the window; a closed window simply misses pushes and
  // re-reads the full snapshot (jobs:list) when it opens again.
  for (const name of eventNames) {
    ferry.on(name, (payload) => {
      if (mainWindow !== null) pushEvent(mainWindow.webContents, name, payload);
    });
  }
  showWindow();
  startTray(ferry);
}

function main(): void {
  // A second launch focuses the first window instead of running a second engine on one database.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  registerAppScheme();

  // Windows groups taskbar entries and notifications by this id; keep it equal to the appId.
  if (process.platform === 'win32') app.setAppUserModelId('io.ferry.app');

  // Only once the contract is registered: a window opened earlier would call into nothing.
  app.on('second-instance', () => {
    if (ferry !== null) showWindow();
  });

  // Every webContents ever created (including any the page manages to spawn) gets the guards.
  app.on('web-contents-created', (_event, contents) => {
    guardWebContents(contents);
    hardenSession(contents.session);
  });

  // Ferry lives in the tray: closing the last window keeps uploads running.
  app.on('window-all-closed', () => undefined);

  // macOS: clicking the Dock icon with no window open brings the window back.
  app.on('activate', () => {
    if (ferry !== null) showWindow();
  });

  // Close the engine (flush the journal, stop the local cloud) before the process exits.
  app.on('before-quit', (event) => {
    if (quitting || ferry === null) return;
    event.preventDefault();
    quitting = true;
    const closing = ferry;
    closing
      .close()
      .catch((thrown: unknown) => console.error('[ferry] shutdown failed', String(thrown))) // logger may be closed
      .finally(() => {
        tray?.destroy();
        tray = null;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(start)
    .catch((thrown: unknown) => {
      log('startup failed', { error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown) });
      app.exit(1);
    });
}

main();
