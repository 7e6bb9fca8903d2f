import { BrowserWindow } from 'electron';
import { guardWebContents, hardenSession } from './guards.js';
import { APP_ENTRY_URL, secureWebPreferences } from './security.js';

export type MainWindowOptions = {
  /** Absolute path of the bundled preload (dist/main/preload.cjs). */
  preloadPath: string;
  /** Absolute path of the window icon (Linux/Windows; macOS uses the bundle icon). */
  iconPath?: string;
  /** False in packaged builds. */
  devTools: boolean;
};

/** Background shown before the first paint; matches the renderer's dark surface. */
const BACKGROUND = '#111418';

/**
 * Creates the one Ferry window: hardened webPreferences, guards on its webContents and session,
 * shown only once the first frame is ready (no white flash), loading app://ferry/index.html.
 */
export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 960,
    height: 680,
    minWidth: 560,
    minHeight: 420,
    title: 'Ferry',
    show: false,
    backgroundColor: BACKGROUND,
    ...(opts.iconPath ? { icon: opts.iconPath } : {}),
    webPreferences: secureWebPreferences(opts.preloadPath, { devTools: opts.devTools }),
  });
  hardenSession(win.webContents.session);
  guardWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  // The page title must not rename the window (a remote string could spoof it).
  win.on('page-title-updated', (event) => event.preventDefault());
  void win.loadURL(APP_ENTRY_URL).catch(() => {
    // A failed load leaves the window blank; did-fail-load is logged by main.
  });
  return win;
}
