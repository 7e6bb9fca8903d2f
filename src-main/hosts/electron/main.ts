import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, ipcMain, Menu, Notification, shell, type BrowserWindow } from 'electron';
import { activityTitle } from '../../../src-shared/activity.js';
import type { LinkActionsEvent } from '../../../src-shared/ipc/channels.js';
import { buildAppMenu, type AppMenuAction } from '../app-menu-model.js';
import { defaultDataDir } from '../data-dir.js';
import { toAppMenuTemplate } from './app-menu.js';
import { eventNames } from './contract-names.js';
import { confirmPaths, showChooser } from './dialogs.js';
import { guardWebContents, hardenSession, setExternalOrigins } from './guards.js';
import { pushEvent, registerContract, registerGrants, type SenderCheck } from './ipc.js';
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
import { appBackend, recoverOnStart } from '../instance/app-backend.js';
import { claimInstance, type OwnerClaim } from '../instance/claim.js';
import { handToRunning, launchDataSchema, launchFiles, stderrLogger } from '../instance/launch.js';

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
/** The same data folder as browser mode and the CLI (`--data DIR`, FERRY_DATA_DIR, or the platform's). */
const dataDir = path.resolve(dataDirArg(process.argv) ?? defaultDataDir());

let ferry: FerryApp | null = null;
/** Our hold on the data folder's instance lock and socket, so `ferry` (the CLI) reaches this app. */
let instance: OwnerClaim | null = null;
let mainWindow: BrowserWindow | null = null;
let tray: ReturnType<typeof createTray> | null = null;
let quitting = false;

/** Logs through the app's logger once it exists; before that (startup failure) to stderr. */
function log(message: string, fields?: Record<string, unknown>): void {
  if (ferry !== null) ferry.logger.warn(message, fields);
  else console.error(`[ferry] ${message}`, fields ?? '');
}

/** `--data DIR` or `--data=DIR` among Electron's arguments (Chromium switches pass by untouched). */
function dataDirArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--data=')) return arg.slice('--data='.length) || null;
    if (arg === '--data') return argv[i + 1] ?? null;
  }
  return null;
}

/** Only Ferry's own window may call the contract or grant paths (see ipc.ts senderProblem). */
const senderCheck: SenderCheck = {
  isOwnWindow: (id) => mainWindow !== null && !mainWindow.isDestroyed() && mainWindow.webContents.id === id,
  onRejected: (channel, sender) => log('refused IPC message', { channel, sender }),
};

function showWindow(): void {
  if (mainWindow === null || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow({ preloadPath, iconPath: path.join(assetsDir, 'icon.png'), devTools: !app.isPackaged });
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

/** After-upload link actions, done natively: clipboard, default browser (http(s) only), a notification. */
function performLinkActions(event: LinkActionsEvent): void {
  if (event.copy) clipboard.writeText(event.copy.text).catch((thrown: unknown) => log('could not copy a link', { error: String(thrown) }));
  for (const url of event.open) {
    if (/^https?:\/\//i.test(url)) shell.openExternal(url).catch((thrown: unknown) => log('could not open a link', { error: String(thrown) }));
  }
  if (event.notice) notify({ kind: 'batch-done', ...event.notice });
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
    state: () => {
      const state = deriveTrayState(app_.engine.list(), host.prefs());
      // The window title shows the same progress (the page's own title may not rename the window).
      if (mainWindow !== null && !mainWindow.isDestroyed()) mainWindow.setTitle(activityTitle(state));
      return state;
    },
    dispatch: (action) => {
      void runTrayAction(host, action).then(() => tray?.refresh());
    },
    onClick: showWindow,
  });
  app_.engine.on('jobs:updated', () => {
    tray?.refresh();
    // Finished batches are announced by the after-upload link actions (when the user wants a
    // notice); failures always are.
    const notice = batches.update(app_.engine.list());
    if (notice?.kind === 'batch-failed') notify(notice);
  });
  app_.on('app:link-actions', performLinkActions);
  // The window changes settings too; the menu is rebuilt from them on every refresh.
  app_.settings.onChange(() => tray?.refresh());
  const media = createMediaNoticeTracker();
  app_.on('media:updated', ({ jobs }) => {
    for (const notice of media.update(jobs)) notify(notice);
  });
}

/** Files handed to us on a command line (ours or a second launch's): the user named them, so no path guard. */
function queueLaunchFiles(files: readonly string[]): void {
  if (ferry === null || files.length === 0) return;
  ferry.engine.addPaths([...files]).catch((thrown: unknown) => log('could not queue launch files', { error: String(thrown) }));
}

/** Runs a command of the app menu. Failures are logged, never thrown into Electron's menu code. */
async function runMenuAction(app_: FerryApp, action: AppMenuAction): Promise<void> {
  switch (action) {
    case 'choose-files':
    case 'choose-folder': {
      // Opened by main: what the user picks is theirs to upload, no grant needed.
      const picked = await showChooser(mainWindow, { kind: action === 'choose-files' ? 'files' : 'folder', multiple: true });
      if (picked.length > 0) await app_.engine.addPaths(picked);
      return;
    }
    case 'open-data-folder':
    case 'open-logs': {
      const problem = await shell.openPath(action === 'open-logs' ? path.join(app_.dataDir, 'logs') : app_.dataDir);
      if (problem !== '') log('could not open folder', { action, problem });
      return;
    }
    case 'show-window':
      return showWindow();
    case 'quit':
      return app.quit();
  }
}

function installAppMenu(app_: FerryApp): void {
  const items = buildAppMenu({ platform: process.platform, packaged: app.isPackaged, appName: app.getName() });
  const run = (action: AppMenuAction): void => {
    runMenuAction(app_, action).catch((thrown: unknown) => log('menu action failed', { action, error: String(thrown) }));
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(toAppMenuTemplate(items, run)));
}

async function start(): Promise<void> {
  serveRenderer(rendererDir);
  // The same lock and socket browser mode uses: a browser-mode Ferry already running on this
  // folder gets our files, and a headless `ferry` command hands its uploads over to us.
  const claim = await claimInstance({ dataDir, kind: 'app', version: app.getVersion(), logger: stderrLogger, takeOverFromCli: true });
  if (claim.role === 'client') {
    await handToRunning(claim.client, launchFiles(process.argv, process.defaultApp, process.cwd()), 0, (line) => console.log(line));
    app.exit(0);
    return;
  }
  instance = claim;
  ferry = await createApp({
    dataDir,
    host: 'electron',
    version: app.getVersion(),
    settingsBacking: electronSettingsBacking,
    choosePaths: (request) => showChooser(mainWindow, request),
    confirmPaths: (paths, purpose) => confirmPaths(mainWindow, paths, purpose),
  });
  const app_ = ferry;
  claim.server.attach(appBackend(ferry, { url: () => null, show: showWindow }));
  const owner = ferry;
  void recoverOnStart(owner).catch((thrown: unknown) => owner.logger.error('intents: recovery failed', { error: String(thrown) }));
  // Links to files in the local cloud open in the browser like CDN links do.
  setExternalOrigins([new URL(ferry.localCloud.baseUrl).origin]);
  registerContract(ipcMain, ferry.handlers, senderCheck);
  // Paths of files the user dropped, derived by the preload: the page may name exactly these.
  registerGrants(ipcMain, (paths) => void app_.paths.grant(paths), senderCheck);
  installAppMenu(ferry);
  // Forward every contract event to the window; a closed window simply misses pushes and
  // re-reads the full snapshot (jobs:list) when it opens again.
  for (const name of eventNames) {
    // Link actions are performed here, in main (performLinkActions), even with no window open.
    if (name === 'app:link-actions') continue;
    ferry.on(name, (payload) => {
      if (mainWindow !== null) pushEvent(mainWindow.webContents, name, payload);
    });
  }
  showWindow();
  startTray(ferry);
  queueLaunchFiles(launchFiles(process.argv, process.defaultApp, process.cwd()));
}

function main(): void {
  // Chromium's profile and the single-instance lock live in the same folder as Ferry's data, so
  // `--data` keeps two profiles fully apart. Must happen before 'ready'.
  app.setPath('userData', dataDir);
  // A second launch focuses the first window and hands it its files instead of running a
  // second engine on one database.
  const launch = { files: launchFiles(process.argv, process.defaultApp, process.cwd()) };
  if (!app.requestSingleInstanceLock(launch)) {
    app.quit();
    return;
  }
  app.enableSandbox();
  registerAppScheme();

  // Windows groups taskbar entries and notifications by this id; keep it equal to the appId.
  if (process.platform === 'win32') app.setAppUserModelId('io.ferry.app');

  // Only once the contract is registered: a window opened earlier would call into nothing.
  app.on('second-instance', (_event, _argv, _cwd, additionalData) => {
    if (ferry === null) return;
    showWindow();
    const data = launchDataSchema.safeParse(additionalData);
    if (data.success) queueLaunchFiles(data.data.files);
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
      // The folder is released only once the engine and journal are closed.
      .then(() => instance?.release())
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
