import type { LinkFormat } from '../links.js';
import type { DestinationKind } from './job.js';
import type { TransferSettings } from './transfer-settings.js';

type LinkActionsDefault = { readonly copy: LinkFormat | null; readonly open: boolean; readonly notify: boolean };

/** After-upload link actions of a fresh install: nothing copied or opened unasked; a finished batch is announced. */
export const DEFAULT_LINK_ACTIONS: Readonly<Record<DestinationKind, LinkActionsDefault>> = Object.freeze({
  local: { copy: null, open: false, notify: true },
  filestack: { copy: null, open: false, notify: true },
  imagekit: { copy: null, open: false, notify: true },
});

/**
 * What a fresh install uses. Free of runtime imports (the settings schema is zod, which the
 * renderer must not load), so the window can show these before `settings:get` answers.
 */
export const DEFAULT_TRANSFER_SETTINGS: TransferSettings = Object.freeze({
  fileConcurrency: 2,
  partConcurrency: 3,
  bandwidthLimit: 0,
  linkFormat: 'url',
  theme: 'system',
  defaultDestination: 'local',
  imagekitUrlEndpoint: '',
  filestackLocation: 's3',
  filestackStorePath: '',
  filestackContainer: '',
  linkActions: DEFAULT_LINK_ACTIONS,
});
