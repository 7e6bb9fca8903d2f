import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { SettingsStore } from './settings-store.js';

/** The `settings:*` channels; compose.ts spreads them next to the engine's handlers. */
export type SettingsHandlers = Pick<Handlers, 'settings:get' | 'settings:set'>;

/**
 * Maps the settings channels onto the store. The store validates again (callers other than
 * dispatch exist, e.g. the CLI) and notifies its listeners, which apply the change live.
 */
export function createSettingsHandlers(settings: SettingsStore): SettingsHandlers {
  return {
    'settings:get': () => settings.get(),
    'settings:set': (req) => settings.set(req),
  };
}
