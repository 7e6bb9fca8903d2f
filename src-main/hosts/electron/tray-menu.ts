import type { MenuItemConstructorOptions } from 'electron';

/** What the tray menu can do; main binds these to the window and the engine. */
export type TrayActions = {
  open(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
};

/** The tray's context menu as a plain template (pure, so it is tested without Electron). */
export function buildTrayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Ferry', click: () => actions.open() },
    { type: 'separator' },
    { id: 'pause-all', label: 'Pause all', click: () => actions.pauseAll() },
    { id: 'resume-all', label: 'Resume all', click: () => actions.resumeAll() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Ferry', click: () => actions.quit() },
  ];
}

/** The tray image file for a platform: macOS wants a monochrome template image. */
export function trayIconFile(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
}
