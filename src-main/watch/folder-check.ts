import { constants } from 'node:fs';
import { access, opendir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appError, FerryError } from '../../src-shared/errors.js';
import { errnoCode } from '../engine/file-system.js';

/**
 * Folder paths a person typed (or picked) for a watch folder: read the way they meant them and
 * answered in their words. Every message names the path and says what to do; none is a stack
 * trace or a schema complaint.
 */

type Platform = NodeJS.Platform;

/** An example absolute folder for this OS, for the messages. */
function example(platform: Platform): string {
  return platform === 'win32' ? 'C:\\Users\\me\\Pictures' : platform === 'darwin' ? '/Users/me/Pictures' : '/home/me/Pictures';
}

/**
 * The absolute path the person meant: surrounding spaces dropped, `~` (and `~/…`) is their home.
 * A relative path is refused with a human message: Ferry runs in the background, so "relative to
 * where?" has no answer they could know.
 */
export function typedFolderPath(input: string, what = 'folder', home = os.homedir(), platform: Platform = process.platform): string {
  const typed = input.trim();
  if (typed === '') throw human('bad_request', `Type the full path of the ${what}, for example ${example(platform)}.`);
  const p = platform === 'win32' ? path.win32 : path.posix;
  const expanded = typed === '~' ? home : /^~[\\/]/.test(typed) ? p.join(home, typed.slice(2)) : typed;
  if (!p.isAbsolute(expanded)) {
    throw human('bad_request', `"${typed}" is not a full path. Type the whole path of the ${what}, starting ${platform === 'win32' ? 'with the drive' : 'with /'}, for example ${example(platform)}.`);
  }
  return p.normalize(expanded);
}

/** The person's words for why `folder` cannot be watched, from the error the file system gave. */
export function folderProblem(folder: string, thrown: unknown): FerryError {
  const code = errnoCode(thrown);
  switch (code) {
    case 'ENOENT':
      return human('not_found', `"${folder}" does not exist. Check the spelling, or create the folder first.`, code);
    case 'ENOTDIR':
      return human('not_found', `"${folder}" does not exist: part of that path is a file, not a folder.`, code);
    case 'EACCES':
    case 'EPERM':
      return human('permission', `"${folder}" is not readable: Ferry is not allowed to open it. Give your user read access to it, or choose another folder.`, code);
    case 'ELOOP':
      return human('bad_request', `"${folder}" cannot be opened: its symbolic links point in a circle.`, code);
    case 'ENAMETOOLONG':
      return human('bad_request', `"${folder}" is longer than this system allows for a path.`, code);
    default:
      return human('internal', `"${folder}" cannot be watched: ${thrown instanceof Error ? thrown.message : String(thrown)}`, code);
  }
}

/**
 * Checks that `folder` (absolute) can be watched: it exists, is a folder (after symlinks) and
 * its entries can be listed. Returns its real path; throws a folderProblem otherwise.
 */
export async function checkWatchableFolder(folder: string): Promise<string> {
  try {
    const real = await realpath(folder);
    if (!(await stat(real)).isDirectory()) {
      throw human('bad_request', `"${folder}" is a file, not a folder. To watch the folder it is in, type ${path.dirname(folder)}.`);
    }
    // Listing is what the watcher does first; a folder we cannot list would fail silently later.
    await access(real, constants.R_OK | constants.X_OK);
    await (await opendir(real)).close();
    return real;
  } catch (thrown) {
    if (thrown instanceof FerryError) throw thrown;
    throw folderProblem(folder, thrown);
  }
}

function human(code: 'bad_request' | 'not_found' | 'permission' | 'internal', message: string, errno?: string | null): FerryError {
  return new FerryError(appError(code, message, { retryable: false, ...(errno ? { details: { errno } } : {}) }));
}
