import { describe, expect, it } from 'vitest';
import { buildAppMenu, type AppMenuAction, type AppMenuItem } from '../../src-main/hosts/app-menu-model.js';
import { toAppMenuTemplate } from '../../src-main/hosts/electron/app-menu.js';

/** Electron's MenuItemConstructorOptions, without importing electron outside its host. */
type MenuItemConstructorOptions = ReturnType<typeof toAppMenuTemplate>[number];

/** A compact outline: submenus with their items, roles as `role:x`, actions by id. */
function outline(items: readonly AppMenuItem[]): string[] {
  return items.map((i) => {
    if (i.type === 'separator') return '---';
    if (i.type === 'role') return `role:${i.role}`;
    if (i.type === 'action') return i.id;
    return `${i.id}[${outline(i.items).join(',')}]`;
  });
}

function all(items: readonly AppMenuItem[]): AppMenuItem[] {
  return items.flatMap((i) => (i.type === 'submenu' ? [i, ...all(i.items)] : [i]));
}

const linuxDev = buildAppMenu({ platform: 'linux', packaged: false, appName: 'Ferry' });
const linuxPackaged = buildAppMenu({ platform: 'linux', packaged: true, appName: 'Ferry' });
const winPackaged = buildAppMenu({ platform: 'win32', packaged: true, appName: 'Ferry' });
const macPackaged = buildAppMenu({ platform: 'darwin', packaged: true, appName: 'Ferry' });

describe('buildAppMenu', () => {
  it('is Ferry’s own menu on Linux and Windows: File, Edit, View, Window, Help', () => {
    expect(outline(linuxPackaged)).toEqual([
      'file[choose-files,choose-folder,---,open-data-folder,---,quit]',
      'edit[role:undo,role:redo,---,role:cut,role:copy,role:paste,role:delete,---,role:selectAll]',
      'view[role:resetZoom,role:zoomIn,role:zoomOut,---,role:togglefullscreen]',
      'window[show-window,role:minimize,role:close]',
      'help[open-logs,---,role:about]',
    ]);
    expect(outline(winPackaged)).toEqual(outline(linuxPackaged));
  });

  it('has reload and DevTools only in development builds', () => {
    const roles = (items: readonly AppMenuItem[]) => all(items).flatMap((i) => (i.type === 'role' ? [i.role] : []));
    for (const packaged of [linuxPackaged, winPackaged, macPackaged]) {
      expect(roles(packaged)).not.toContain('toggleDevTools');
      expect(roles(packaged)).not.toContain('reload');
      expect(roles(packaged)).not.toContain('forceReload');
    }
    expect(roles(linuxDev)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
  });

  it('puts About, Services, Hide and Quit in the app menu on macOS, and no Quit in File', () => {
    expect(outline(macPackaged)[0]).toBe('app[role:about,---,role:services,---,role:hide,role:hideOthers,role:unhide,---,quit]');
    const file = macPackaged.find((i) => i.id === 'file');
    expect(file?.type === 'submenu' && outline(file.items)).toEqual(['choose-files', 'choose-folder', '---', 'open-data-folder', '---', 'role:close']);
    expect(outline(macPackaged).slice(1).map((s) => s.split('[')[0])).toEqual(['file', 'edit', 'view', 'window', 'help']);
  });

  it('gives Ferry’s commands their shortcuts and unique ids in every submenu', () => {
    const byId = new Map(all(linuxPackaged).filter((i) => i.type === 'action').map((i) => [i.id, i]));
    expect(byId.get('choose-files')).toMatchObject({ label: 'Choose Files to Upload…', accelerator: 'CmdOrCtrl+O' });
    expect(byId.get('choose-folder')).toMatchObject({ accelerator: 'CmdOrCtrl+Shift+O' });
    expect(byId.get('quit')).toMatchObject({ label: 'Quit Ferry', accelerator: 'CmdOrCtrl+Q' });
    for (const menu of [linuxDev, macPackaged]) {
      for (const sub of all(menu).filter((i) => i.type === 'submenu')) {
        const ids = sub.items.map((i) => i.id);
        expect(new Set(ids).size, sub.id).toBe(ids.length);
      }
    }
  });
});

describe('toAppMenuTemplate', () => {
  it('maps roles to Electron roles and runs Ferry’s actions through one function', () => {
    const ran: AppMenuAction[] = [];
    const template = toAppMenuTemplate(linuxPackaged, (a) => ran.push(a));
    const file = template[0]?.submenu as MenuItemConstructorOptions[];
    expect(template[0]).toMatchObject({ id: 'file', label: '&File' });
    expect(file[0]).toMatchObject({ id: 'choose-files', label: 'Choose Files to Upload…', accelerator: 'CmdOrCtrl+O' });
    file[0]?.click?.({} as never, undefined, {} as never);
    file.find((i) => i.id === 'quit')?.click?.({} as never, undefined, {} as never);
    expect(ran).toEqual(['choose-files', 'quit']);
    const edit = template[1]?.submenu as MenuItemConstructorOptions[];
    expect(edit.map((i) => i.role ?? i.type)).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'delete', 'separator', 'selectAll']);
    expect(template[3]).toMatchObject({ id: 'window', role: 'windowMenu' });
  });
});
