import { activityOf } from '../../src-shared/activity.js';
import type { DestinationKind, JobView } from '../../src-shared/model/job.js';
import type { LinkFormat, TrayState } from './tray-model.js';

/** Tray choices the user makes in the tray itself (kept by the host). */
export type TrayPrefs = {
  readonly defaultDestination: DestinationKind;
  readonly destinations: readonly DestinationKind[];
  readonly linkFormat: LinkFormat;
  readonly watching: boolean;
};

/**
 * Derives what the tray shows from the engine's job list: what is moving (shared/activity.ts,
 * also the window title) and the newest verified uploads. Pure, so the Electron tray only renders it.
 */
export function deriveTrayState(jobs: readonly JobView[], prefs: TrayPrefs): TrayState {
  const done: { id: string; name: string; url: string; at: number }[] = [];
  for (const job of jobs) {
    if (job.status.kind === 'done') done.push({ id: job.id, name: job.name, url: job.status.result.url, at: job.status.verifiedAt });
  }
  done.sort((a, b) => b.at - a.at);
  return { ...activityOf(jobs), recent: done.map(({ id, name, url }) => ({ id, name, url })), ...prefs };
}
