import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAction, TrayItem } from '../tray-model.js';

/**
 * Renders the pure tray model (hosts/tray-model.ts) as an Electron menu template. Pure apart
 * from the type import, so it is tested without Electron; every click goes through `dispatch`.
 */
export function toMenuTemplate(items: readonly TrayItem[], dispatch: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { id: item.id, type: 'separator' };
      case 'submenu':
        return { id: item.id, label: item.label, enabled: item.enabled, submenu: toMenuTemplate(item.items, dispatch) };
      case 'radio':
      case 'checkbox':
        return { id: item.id, type: item.type, label: item.label, enabled: item.enabled, checked: item.checked, click: () => dispatch(item.action) };
      case 'normal': {
        const action = item.action;
        return { id: item.id, label: item.label, enabled: item.enabled && action !== null, ...(action ? { click: () => dispatch(action) } : {}) };
      }
    }
  });
}

/** The tray image file for a platform: macOS wants a monochrome template image. */
export function trayIconFile(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
}
