import type { FerryApp } from './compose.js';
import type { TrayPrefs } from './tray-state.js';

/**
 * The tray's choices read from the same places the window uses (settings file, destinations,
 * watch folders), so a switch made in either shows up in the other.
 */
export function trayPrefsOf(app: Pick<FerryApp, 'settings' | 'destinations' | 'watch'>): TrayPrefs {
  return {
    defaultDestination: app.destinations.effectiveDefault(),
    destinations: app.destinations
      .list()
      .filter((d) => d.configured)
      .map((d) => d.kind),
    linkFormat: app.settings.get().linkFormat,
    watching: app.watch.list().some((f) => f.enabled),
  };
}
