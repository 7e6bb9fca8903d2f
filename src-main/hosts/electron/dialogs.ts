import { dialog, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions } from 'electron';
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

/**
 * A native yes/no before Ferry reads a folder the window typed (not picked): the renderer can
 * name any path, only the person can press "Watch". Default and cancel are "Cancel".
 */
export async function confirmPaths(parent: BrowserWindow | null, paths: readonly string[], purpose: string): Promise<boolean> {
  const options: MessageBoxOptions = {
    type: 'question',
    buttons: ['Cancel', 'Allow'],
    defaultId: 0,
    cancelId: 0,
    title: 'Ferry',
    message: `Allow Ferry to ${purpose}?`,
    detail: `${paths.join('\n')}\n\nEvery file in it will be uploaded. You typed this path in Ferry's window; choose Allow only if you did.`,
  };
  const result = parent && !parent.isDestroyed() ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  return result.response === 1;
}
