/**
 * Ferry's application menu as plain data (pure: no electron, no node:). The Electron shell turns
 * AppMenuItem[] into a Menu (hosts/electron/app-menu.ts) and runs AppMenuAction; what the menu
 * holds on each platform, and what only development builds get, is decided and tested here.
 */

/** Ferry's own commands; the shell runs them in main (native dialogs, the OS file manager). */
export type AppMenuAction = 'choose-files' | 'choose-folder' | 'open-data-folder' | 'open-logs' | 'show-window' | 'quit';

/** Electron's built-in roles used here (standard edit, window and macOS app-menu behaviour). */
export type AppMenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'close';

export type AppMenuItem =
  | { readonly type: 'action'; readonly id: string; readonly label: string; readonly accelerator?: string; readonly action: AppMenuAction }
  | { readonly type: 'role'; readonly id: string; readonly role: AppMenuRole; readonly label?: string }
  | { readonly type: 'separator'; readonly id: string }
  | { readonly type: 'submenu'; readonly id: string; readonly label: string; readonly items: readonly AppMenuItem[]; readonly role?: 'windowMenu' | 'help' };

export type AppMenuOptions = {
  readonly platform: NodeJS.Platform;
  /** Packaged builds (installers) get no reload and no DevTools. */
  readonly packaged: boolean;
  readonly appName: string;
};

const action = (id: AppMenuAction, label: string, accelerator?: string): AppMenuItem => ({ type: 'action', id, label, action: id, ...(accelerator ? { accelerator } : {}) });
const role = (r: AppMenuRole, label?: string): AppMenuItem => ({ type: 'role', id: r, role: r, ...(label ? { label } : {}) });

/**
 * The menu bar. File: choose files or a folder to upload (native dialogs opened by main), open the
 * data folder, quit. Edit: the standard roles, so text fields get undo, copy and paste. View:
 * zoom and full screen, plus reload and DevTools in development only. Window and Help (logs,
 * about). macOS puts About, Services, Hide and Quit in the app menu, and Quit is not in File.
 */
export function buildAppMenu(opts: AppMenuOptions): AppMenuItem[] {
  let separators = 0;
  const separator = (): AppMenuItem => ({ type: 'separator', id: `separator-${++separators}` });
  const mac = opts.platform === 'darwin';
  const file: AppMenuItem[] = [
    action('choose-files', 'Choose Files to Upload…', 'CmdOrCtrl+O'),
    action('choose-folder', 'Choose Folder to Upload…', 'CmdOrCtrl+Shift+O'),
    separator(),
    action('open-data-folder', 'Open Data Folder'),
    separator(),
    mac ? role('close', 'Close Window') : action('quit', `Quit ${opts.appName}`, 'CmdOrCtrl+Q'),
  ];
  const edit: AppMenuItem[] = [
    role('undo'),
    role('redo'),
    separator(),
    role('cut'),
    role('copy'),
    role('paste'),
    ...(mac ? [role('pasteAndMatchStyle')] : []),
    role('delete'),
    separator(),
    role('selectAll'),
  ];
  const develop: AppMenuItem[] = opts.packaged ? [] : [role('reload'), role('forceReload'), role('toggleDevTools'), separator()];
  const view: AppMenuItem[] = [...develop, role('resetZoom'), role('zoomIn'), role('zoomOut'), separator(), role('togglefullscreen')];
  const windowItems: AppMenuItem[] = mac
    ? [action('show-window', `${opts.appName} Window`), role('minimize'), role('zoom'), separator(), role('front')]
    : [action('show-window', `${opts.appName} Window`), role('minimize'), role('close')];
  const help: AppMenuItem[] = [action('open-logs', 'Open Logs Folder'), ...(mac ? [] : [separator(), role('about', `About ${opts.appName}`)])];
  const appMenu: AppMenuItem[] = mac
    ? [
        {
          type: 'submenu',
          id: 'app',
          label: opts.appName,
          items: [role('about', `About ${opts.appName}`), separator(), role('services'), separator(), role('hide'), role('hideOthers'), role('unhide'), separator(), action('quit', `Quit ${opts.appName}`, 'Cmd+Q')],
        },
      ]
    : [];
  return [
    ...appMenu,
    { type: 'submenu', id: 'file', label: '&File', items: file },
    { type: 'submenu', id: 'edit', label: '&Edit', items: edit },
    { type: 'submenu', id: 'view', label: '&View', items: view },
    { type: 'submenu', id: 'window', label: '&Window', items: windowItems, role: 'windowMenu' },
    { type: 'submenu', id: 'help', label: '&Help', items: help, role: 'help' },
  ];
}
