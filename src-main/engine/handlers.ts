import type { AppInfo, Channel } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { Engine } from './types.js';

/**
 * Maps every contract channel onto the engine. Both hosts use this one object through
 * `dispatch()`, which has already validated the payload against the channel's schema.
 */
/** The channels the engine answers: `app:info` and every `jobs:*` channel. */
// `jobs:add-url` downloads first, so the host answers it (src-main/hosts/url-intake.ts).
export type EngineHandlers = Pick<Handlers, Exclude<Extract<Channel, 'app:info' | `jobs:${string}`>, 'jobs:add-url'>>;

export function createHandlers(engine: Engine, info: AppInfo): EngineHandlers {
  return {
    'app:info': () => info,
    'jobs:list': () => ({ jobs: engine.list() }),
    'jobs:add-paths': (req) => engine.addPaths(req.paths, req.destination),
    'jobs:pause': (req) => (engine.pause(req.id), null),
    'jobs:resume': (req) => (engine.resume(req.id), null),
    'jobs:cancel': (req) => (engine.cancel(req.id), null),
    'jobs:retry': (req) => (engine.retry(req.id), null),
    'jobs:pause-all': () => (engine.pauseAll(), null),
    'jobs:resume-all': () => (engine.resumeAll(), null),
    'jobs:clear-finished': () => (engine.clearFinished(), null),
    // The schema guarantees exactly one of `before` and `toTop`.
    'jobs:move': (req) => (engine.move(req.id, req.before !== undefined ? { before: req.before } : { toTop: true }), null),
    'jobs:upload-anyway': (req) => (engine.uploadAnyway(req.id), null),
  };
}
