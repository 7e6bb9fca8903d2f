import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { ChooseRequest } from '../dialogs.js';

/**
 * Electron's native open dialog for `dialog:choose`, the app menu and the tray. Files and folders
 * are separate dialogs: Linux and Windows cannot show one picker for both (asking for both gives
 * a folder picker there).
 */
export async function showChooser(parent: BrowserWindow | null, request: ChooseRequest): Promise<string[]> {
  const folder = request.kind === 'folder';
  const multiple = request.multiple ?? !folder;
  const options: OpenDialogOptions = {
    title: request.title ?? (folder ? 'Choose a folder' : 'Choose files'),
    properties: [folder ? 'openDirectory' : 'openFile', ...(multiple ? (['multiSelections'] as const) : []), ...(folder ? (['createDirectory'] as const) : [])],
  };
  const result = parent && !parent.isDestroyed() ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? [] : result.filePaths;
}
