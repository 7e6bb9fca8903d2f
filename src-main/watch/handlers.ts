import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { WatchService } from './service.js';

/** The channels the watch service answers. */
export type WatchHandlers = Pick<Handlers, 'watch:list' | 'watch:add' | 'watch:update' | 'watch:remove' | 'watch:set-enabled'>;

/** Maps the `watch:*` channels onto the service; payloads arrive validated by `dispatch()`. */
export function createWatchHandlers(watch: WatchService): WatchHandlers {
  return {
    'watch:list': () => ({ folders: watch.list() }),
    'watch:add': (req) => watch.add(req),
    'watch:update': ({ id, ...patch }) => watch.update(id, patch),
    'watch:remove': async (req) => (await watch.remove(req.id), null),
    'watch:set-enabled': (req) => watch.setEnabled(req.id, req.enabled),
  };
}
