import type { TransferSettings } from './transfer-settings.js';

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
});
