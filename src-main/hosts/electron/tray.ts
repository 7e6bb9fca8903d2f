import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import { buildTrayMenuTemplate, trayIconFile, type TrayActions } from './tray-menu.js';

/**
 * A minimal tray: Open, Pause all, Resume all, Quit. nativeImage picks up the @2x file next to
 * the 1x one on HiDPI screens. Keep the returned Tray referenced, or it is garbage-collected.
 */
export function createTray(trayDir: string, actions: TrayActions): Tray {
  const image = nativeImage.createFromPath(path.join(trayDir, trayIconFile(process.platform)));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  const tray = new Tray(image);
  tray.setToolTip('Ferry');
  tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenuTemplate(actions)));
  // Windows and most Linux trays open the window on a plain click.
  tray.on('click', () => actions.open());
  return tray;
}
