import { appError, FerryError } from '../../src-shared/errors.js';
import type { RequestOf } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { PathPolicy } from './path-policy.js';

export type ChooseRequest = RequestOf<'dialog:choose'>;

/** Shows a native open dialog (opened by main, so a page cannot fake it); [] when canceled. */
export type ChoosePaths = (request: ChooseRequest) => Promise<string[]>;

/**
 * `dialog:choose`: what the user picks in the host's own dialog is granted to the path policy,
 * then handed back so the window can queue it (`jobs:add-paths`) or watch it (`watch:add`).
 * Hosts without native dialogs (browser mode) answer `unsupported`; their capability flag says so.
 */
export function createDialogHandlers(policy: PathPolicy, choose: ChoosePaths | undefined): Pick<Handlers, 'dialog:choose'> {
  return {
    'dialog:choose': async (request) => {
      if (choose === undefined) throw new FerryError(appError('unsupported', 'This window cannot open a native file dialog; drop the files or use the browser’s picker.', { retryable: false }));
      const paths = await choose(request);
      await policy.grant(paths);
      return { paths };
    },
  };
}
