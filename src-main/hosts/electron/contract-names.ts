import type { Channel, EventName } from '../../../src-shared/ipc/channels.js';

/**
 * The contract's channel and event names without their zod schemas, so the sandboxed preload
 * bundle stays tiny. `satisfies Record<…, true>` makes the compiler reject a missing or extra
 * name whenever src-shared/ipc/channels.ts changes; a test also compares them at runtime.
 */
const CHANNEL_NAMES = {
  'app:info': true,
  'jobs:list': true,
  'jobs:add-paths': true,
  'jobs:pause': true,
  'jobs:resume': true,
  'jobs:cancel': true,
  'jobs:retry': true,
  'jobs:pause-all': true,
  'jobs:resume-all': true,
  'jobs:clear-finished': true,
  'jobs:move': true,
  'jobs:upload-anyway': true,
  'settings:get': true,
  'settings:set': true,
  'secrets:status': true,
  'secrets:set': true,
  'secrets:delete': true,
  'watch:list': true,
  'watch:add': true,
  'watch:update': true,
  'watch:remove': true,
  'watch:set-enabled': true,
  'library:list': true,
  'library:place': true,
  'library:folders': true,
  'library:delete': true,
  'links:sign': true,
  'links:list': true,
  'destinations:list': true,
  'jobs:add-url': true,
  'studio:preview': true,
  'studio:store': true,
  'media:convert': true,
  'media:list': true,
  'dialog:choose': true,
} as const satisfies Record<Channel, true>;

const EVENT_NAMES = {
  'jobs:updated': true,
  'jobs:removed': true,
  'media:updated': true,
  'app:reveal': true,
  'app:link-actions': true,
  'library:added': true,
} as const satisfies Record<EventName, true>;

/** Every channel name of the contract. */
export const channelNames: readonly Channel[] = Object.freeze(Object.keys(CHANNEL_NAMES) as Channel[]);
/** Every push event name of the contract. */
export const eventNames: readonly EventName[] = Object.freeze(Object.keys(EVENT_NAMES) as EventName[]);

/** Is `name` one of the contract's channels? (Own keys only: '__proto__' and friends are not.) */
export function isChannelName(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNEL_NAMES, name);
}

/** Is `name` one of the contract's push events? */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENT_NAMES, name);
}
