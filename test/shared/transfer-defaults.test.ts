import { describe, expect, it } from 'vitest';
import { DEFAULT_LINK_ACTIONS, DEFAULT_TRANSFER_SETTINGS } from '../../src-shared/model/transfer-defaults.js';
import { transferSettingsSchema } from '../../src-shared/model/transfer-settings.js';

describe('a fresh install', () => {
  it('uploads two files at a time, three parts each, unlimited, to the local cloud, with plain URLs', () => {
    expect(DEFAULT_TRANSFER_SETTINGS).toEqual({
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
  });

  it('copies and opens nothing unasked, and announces a finished batch, for every destination', () => {
    expect(DEFAULT_LINK_ACTIONS).toEqual({
      local: { copy: null, open: false, notify: true },
      filestack: { copy: null, open: false, notify: true },
      imagekit: { copy: null, open: false, notify: true },
    });
  });

  it('the defaults are valid settings, and cannot be changed in place', () => {
    expect(transferSettingsSchema.parse(DEFAULT_TRANSFER_SETTINGS)).toEqual(DEFAULT_TRANSFER_SETTINGS);
    expect(Object.isFrozen(DEFAULT_TRANSFER_SETTINGS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_LINK_ACTIONS)).toBe(true);
  });
});
