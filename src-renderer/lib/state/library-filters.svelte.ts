import type { RequestOf } from '../../../src-shared/ipc/channels.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { LibrarySort, LibraryType } from '../../../src-shared/model/library.js';

const DAY_MS = 86_400_000;
const MB = 1024 * 1024;

/** When an entry finished, as the filter menu offers it. */
export type DateFilter = 'any' | 'today' | 'week' | 'month' | 'older';
/** How big an entry is, as the filter menu offers it (binary MB, like the sizes shown). */
export type SizeFilter = 'any' | 'small' | 'medium' | 'large';

/** One choice of a filter group: its value and how the menu and the chip read. */
export type FilterOption<V> = { readonly value: V; readonly label: string };

export const TYPE_OPTIONS: readonly FilterOption<LibraryType | ''>[] = [
  { value: '', label: 'Any type' },
  { value: 'image', label: 'Images' },
  { value: 'video', label: 'Video' },
  { value: 'audio', label: 'Audio' },
  { value: 'other', label: 'Documents & other' },
];
export const DATE_OPTIONS: readonly FilterOption<DateFilter>[] = [
  { value: 'any', label: 'Any time' },
  { value: 'today', label: 'Today' },
  { value: 'week', label: 'Last 7 days' },
  { value: 'month', label: 'Last 30 days' },
  { value: 'older', label: 'Older than 30 days' },
];
export const SIZE_OPTIONS: readonly FilterOption<SizeFilter>[] = [
  { value: 'any', label: 'Any size' },
  { value: 'small', label: 'Under 1 MB' },
  { value: 'medium', label: '1–100 MB' },
  { value: 'large', label: '100 MB and over' },
];
export const DESTINATION_OPTIONS: readonly FilterOption<DestinationKind | ''>[] = [
  { value: '', label: 'Any destination' },
  { value: 'local', label: 'Local cloud' },
  { value: 'filestack', label: 'Filestack' },
  { value: 'imagekit', label: 'ImageKit' },
];

/** The filter groups of the menu (the folder has its tree, the search its box). */
export type FilterKey = 'type' | 'date' | 'size' | 'destination';

/** The request fields of a date choice; `now` in epoch ms ("today" starts at local midnight). */
export function dateBounds(date: DateFilter, now: number): { since?: number; before?: number } {
  switch (date) {
    case 'any':
      return {};
    case 'today':
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway value to find local midnight, never read reactively
      return { since: new Date(now).setHours(0, 0, 0, 0) };
    case 'week':
      return { since: now - 7 * DAY_MS };
    case 'month':
      return { since: now - 30 * DAY_MS };
    case 'older':
      return { before: now - 30 * DAY_MS };
  }
}

/** The request fields of a size choice: at least `minSize`, under `maxSize`. */
export function sizeBounds(size: SizeFilter): { minSize?: number; maxSize?: number } {
  switch (size) {
    case 'any':
      return {};
    case 'small':
      return { maxSize: MB };
    case 'medium':
      return { minSize: MB, maxSize: 100 * MB };
    case 'large':
      return { minSize: 100 * MB };
  }
}

const labelOf = <V>(options: readonly FilterOption<V>[], value: V): string => options.find((o) => o.value === value)?.label ?? String(value);

/**
 * The Library's search, filters, folder and order. The host filters (the journal's query), so
 * this only turns the choices into `library:list` / `library:place` fields; the manager reloads
 * when they change.
 */
export class LibraryFilters {
  query = $state('');
  destination = $state<DestinationKind | ''>('');
  type = $state<LibraryType | ''>('');
  date = $state<DateFilter>('any');
  size = $state<SizeFilter>('any');
  /** `trip/` (with what is inside), or '' for every folder. */
  folder = $state('');
  sort = $state<LibrarySort>('newest');

  /** True when anything narrows the Library (then the total is not the sidebar's count). */
  get narrowed(): boolean {
    return this.query.trim() !== '' || this.folder !== '' || this.chips.length > 0;
  }

  /** The menu's groups that are set, as chips: what each reads and which group it clears. */
  get chips(): { key: FilterKey; label: string }[] {
    const chips: { key: FilterKey; label: string }[] = [];
    if (this.type !== '') chips.push({ key: 'type', label: labelOf(TYPE_OPTIONS, this.type) });
    if (this.date !== 'any') chips.push({ key: 'date', label: labelOf(DATE_OPTIONS, this.date) });
    if (this.size !== 'any') chips.push({ key: 'size', label: labelOf(SIZE_OPTIONS, this.size) });
    if (this.destination !== '') chips.push({ key: 'destination', label: labelOf(DESTINATION_OPTIONS, this.destination) });
    return chips;
  }

  /** Sets a group back to "any". */
  clear(key: FilterKey): void {
    if (key === 'type') this.type = '';
    else if (key === 'date') this.date = 'any';
    else if (key === 'size') this.size = 'any';
    else this.destination = '';
  }

  /** The request fields for these choices at `now` (epoch ms); absent fields match everything. */
  request(now: number): Omit<RequestOf<'library:list'>, 'limit' | 'offset'> {
    const query = this.query.trim();
    return {
      ...(query ? { query } : {}),
      ...(this.destination ? { destination: this.destination } : {}),
      ...(this.type ? { type: this.type } : {}),
      ...(this.sort !== 'newest' ? { sort: this.sort } : {}),
      ...(this.folder ? { folder: this.folder } : {}),
      ...dateBounds(this.date, now),
      ...sizeBounds(this.size),
    };
  }
}
