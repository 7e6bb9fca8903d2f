import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import { buildTrayMenu, trayTooltip, type TrayAction, type TrayState } from '../tray-model.js';
import { toMenuTemplate, trayIconFile } from './tray-menu.js';

/** Rebuilding a native menu is not free; queue changes coalesce to this rate. */
const REFRESH_MS = 500;

export type TrayController = { state(): TrayState; dispatch(action: TrayAction): void; onClick(): void };

/**
 * The tray: menu and tooltip are rendered from the pure model and refreshed (coalesced) when
 * the queue changes. Keep the returned object referenced, or the Tray is garbage-collected.
 */
export function createTray(trayDir: string, controller: TrayController): { tray: Tray; refresh(): void; destroy(): void } {
  const image = nativeImage.createFromPath(path.join(trayDir, trayIconFile(process.platform)));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  const tray = new Tray(image);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const render = (): void => {
    timer = null;
    const state = controller.state();
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(buildTrayMenu(state), (a) => controller.dispatch(a))));
  };
  render();
  // Windows and most Linux trays open the window on a plain click.
  tray.on('click', () => controller.onClick());
  return {
    tray,
    refresh: () => {
      timer ??= setTimeout(render, REFRESH_MS);
    },
    destroy: () => {
      if (timer) clearTimeout(timer);
      tray.destroy();
    },
  };
}
