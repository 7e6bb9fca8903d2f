import type { Handlers } from '../../../src-shared/ipc/dispatch.js';
import type { MediaService } from './service.js';

/** The `media:*` channel handlers, spread into the app's handlers by compose.ts. */
export function createMediaHandlers(media: MediaService): Pick<Handlers, 'media:convert' | 'media:list'> {
  return {
    'media:convert': (req) => media.convert(req),
    'media:list': () => ({ jobs: media.list() }),
  };
}
