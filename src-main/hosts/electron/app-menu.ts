import type { MenuItemConstructorOptions } from 'electron';
import type { AppMenuAction, AppMenuItem } from '../app-menu-model.js';

/**
 * Renders the pure app-menu model (hosts/app-menu-model.ts) as an Electron menu template. Pure
 * apart from the type import, so it is tested without Electron; every Ferry command goes through
 * `run`, Electron's roles do the standard things.
 */
export function toAppMenuTemplate(items: readonly AppMenuItem[], run: (action: AppMenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { id: item.id, type: 'separator' };
      case 'role':
        return { id: item.id, role: item.role, ...(item.label ? { label: item.label } : {}) };
      case 'submenu':
        return { id: item.id, label: item.label, submenu: toAppMenuTemplate(item.items, run), ...(item.role ? { role: item.role } : {}) };
      case 'action':
        return { id: item.id, label: item.label, ...(item.accelerator ? { accelerator: item.accelerator } : {}), click: () => run(item.action) };
    }
  });
}
