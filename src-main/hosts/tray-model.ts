import { activityPercent, activityTooltip, type Activity } from '../../src-shared/activity.js';
import { formatLink, type LinkFormat } from '../../src-shared/links.js';
import type { DestinationKind } from '../../src-shared/model/job.js';

/**
 * The tray menu as plain data. This file is pure (no electron, no node:): the Electron tray
 * adapter turns TrayItem[] into a Menu and dispatches TrayAction; everything that decides what
 * the menu shows is here and table-tested.
 */

export { formatLink, type LinkFormat };

/** One finished upload the tray can copy a link of (newest first in TrayState.recent). */
export type RecentUpload = { readonly id: string; readonly name: string; readonly url: string };

/** Everything the tray shows: what is moving (see Activity) plus recent uploads and the user's choices. */
export type TrayState = Activity & {
  /** Newest first; only the first MAX_RECENT are shown. */
  readonly recent: readonly RecentUpload[];
  readonly defaultDestination: DestinationKind;
  /** Destinations the user can pick (configured ones); the local cloud is always usable. */
  readonly destinations: readonly DestinationKind[];
  readonly linkFormat: LinkFormat;
  /** Whether folder watching is on. */
  readonly watching: boolean;
};

/** What clicking an item asks the host to do. Serialisable; `copy-link` carries the final text. */
export type TrayAction =
  | { readonly type: 'open-window' }
  | { readonly type: 'upload-files' }
  | { readonly type: 'upload-clipboard' }
  | { readonly type: 'copy-link'; readonly uploadId: string; readonly text: string }
  | { readonly type: 'pause-all' }
  | { readonly type: 'resume-all' }
  | { readonly type: 'set-destination'; readonly destination: DestinationKind }
  | { readonly type: 'set-link-format'; readonly format: LinkFormat }
  | { readonly type: 'set-watching'; readonly watching: boolean }
  | { readonly type: 'quit' };

/**
 * One menu entry. Ids are stable so the host can diff menus and tests can find items. Labels are
 * ready for Electron's Menu: a literal `&` in a file name is written `&&` (a lone `&` marks a mnemonic).
 */
export type TrayItem =
  | { readonly type: 'normal'; readonly id: string; readonly label: string; readonly enabled: boolean; readonly action: TrayAction | null }
  | { readonly type: 'separator'; readonly id: string }
  | { readonly type: 'submenu'; readonly id: string; readonly label: string; readonly enabled: boolean; readonly items: readonly TrayItem[] }
  | {
      readonly type: 'radio' | 'checkbox';
      readonly id: string;
      readonly label: string;
      readonly enabled: boolean;
      readonly checked: boolean;
      readonly action: TrayAction;
    };

/** Most recent uploads listed in the tray. */
export const MAX_RECENT = 5;

/** Longest file name shown in a menu label before it is shortened with an ellipsis. */
const MAX_LABEL = 48;

const DESTINATION_LABELS: Record<DestinationKind, string> = {
  local: 'Local cloud',
  filestack: 'Filestack',
  imagekit: 'ImageKit',
};

const FORMAT_LABELS: Record<LinkFormat, string> = { url: 'URL', markdown: 'Markdown', html: 'HTML', bbcode: 'BBCode' };

function shorten(name: string): string {
  const chars = Array.from(name); // by code point, so an emoji is never cut in half
  return chars.length <= MAX_LABEL ? name : `${chars.slice(0, MAX_LABEL - 1).join('')}…`;
}

/** Electron treats `&` in labels as a mnemonic marker on Windows/Linux; double it to show it. */
function label(text: string): string {
  return text.replace(/&/g, '&&');
}

const item = (id: string, text: string, action: TrayAction, enabled = true): TrayItem => ({
  type: 'normal',
  id,
  label: text,
  enabled,
  action,
});

const separator = (id: string): TrayItem => ({ type: 'separator', id });

function recentMenu(state: TrayState): TrayItem {
  const shown = state.recent.slice(0, MAX_RECENT);
  const items: TrayItem[] = shown.map((r) =>
    item(`recent:${r.id}`, label(shorten(r.name)), { type: 'copy-link', uploadId: r.id, text: formatLink(r.url, r.name, state.linkFormat) }),
  );
  if (items.length === 0) items.push({ type: 'normal', id: 'recent:none', label: 'No uploads yet', enabled: false, action: null });
  return { type: 'submenu', id: 'recent', label: 'Recent uploads', enabled: shown.length > 0, items };
}

/** The tray menu for `state`, top to bottom. */
export function buildTrayMenu(state: TrayState): TrayItem[] {
  const destinations = state.destinations.includes(state.defaultDestination)
    ? state.destinations
    : [state.defaultDestination, ...state.destinations];
  return [
    item('open', 'Open Ferry', { type: 'open-window' }),
    item('upload-files', 'Upload file(s)…', { type: 'upload-files' }),
    item('upload-clipboard', 'Upload from clipboard', { type: 'upload-clipboard' }),
    recentMenu(state),
    separator('sep-queue'),
    state.paused
      ? item('resume-all', 'Resume all', { type: 'resume-all' })
      : item('pause-all', 'Pause all', { type: 'pause-all' }, state.activeJobs > 0),
    separator('sep-settings'),
    {
      type: 'submenu',
      id: 'destination',
      label: 'Default destination',
      enabled: true,
      items: destinations.map((d) => ({
        type: 'radio',
        id: `destination:${d}`,
        label: DESTINATION_LABELS[d],
        enabled: true,
        checked: d === state.defaultDestination,
        action: { type: 'set-destination', destination: d },
      })),
    },
    {
      type: 'submenu',
      id: 'link-format',
      label: 'Link format',
      enabled: true,
      items: (Object.keys(FORMAT_LABELS) as LinkFormat[]).map((f) => ({
        type: 'radio',
        id: `link-format:${f}`,
        label: FORMAT_LABELS[f],
        enabled: true,
        checked: f === state.linkFormat,
        action: { type: 'set-link-format', format: f },
      })),
    },
    {
      type: 'checkbox',
      id: 'watching',
      label: 'Watch folders',
      enabled: true,
      checked: state.watching,
      action: { type: 'set-watching', watching: !state.watching },
    },
    separator('sep-quit'),
    item('quit', 'Quit Ferry', { type: 'quit' }),
  ];
}

/** Whole percent of bytes sent, 0..100 (shared/activity.ts). */
export const overallPercent = activityPercent;

/** Tray tooltip: "Ferry" when idle, "Ferry — uploading 3 files, 42 %" while busy (shared/activity.ts). */
export const trayTooltip = activityTooltip;
