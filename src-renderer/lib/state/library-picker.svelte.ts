import type { AppError } from '../../../src-shared/errors.js';
import type { LibraryItem } from '../../../src-shared/ipc/channels.js';
import type { DestinationKind, JobView } from '../../../src-shared/model/job.js';
import { mimeMatchesType, type LibraryType } from '../../../src-shared/model/library.js';
import type { Api } from '../api.js';

/** Rows a picker asks the Library for per search (the newest first). */
export const PICKER_LIMIT = 200;
const SEARCH_DEBOUNCE_MS = 200;

/** A file Studio or Media can start from: any Library entry, or a finished upload still in the Queue. */
export type PickerItem = {
  readonly id: string;
  readonly name: string;
  /** Folder path inside a dropped folder (`trip/day1/a.jpg`), or null. */
  readonly relativePath: string | null;
  readonly destination: DestinationKind;
  readonly url: string;
  readonly mimetype: string;
};

/** What the picker's type menu offers. */
export const TYPE_LABELS: Readonly<Record<LibraryType, string>> = { image: 'Images', media: 'Audio and video', video: 'Video', audio: 'Audio', other: 'Documents & other' };

/** How an item reads in a list: its folder path when it has one, and where it is stored. */
export function pickerLabel(item: PickerItem): string {
  return `${item.relativePath ?? item.name} (${item.destination})`;
}

function fromLibrary(item: LibraryItem): PickerItem {
  return {
    id: item.id,
    name: item.name,
    relativePath: item.relativePath,
    destination: item.destination,
    url: item.url,
    mimetype: item.mimetype ?? 'application/octet-stream',
  };
}

function fromJob(job: JobView): PickerItem | null {
  if (job.status.kind !== 'done') return null;
  const r = job.status.result;
  return { id: job.id, name: job.name, relativePath: job.relativePath, destination: job.destination, url: r.url, mimetype: r.mimetype };
}

/**
 * The source list of Studio and Media: every Library entry of the chosen type matching the search
 * (so "Clear finished" never leaves them empty-handed), plus the Queue's finished uploads, which
 * show at once, before the Library is asked again. Matching follows the Library's own rule: the
 * name or the folder path, case-insensitive.
 */
export class LibraryPicker {
  readonly #api: Api;
  readonly types: readonly LibraryType[];
  #type = $state<LibraryType>('image');
  #query = $state('');
  #library = $state.raw<PickerItem[]>([]);
  #loaded = $state(false);
  #error = $state.raw<AppError | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #request = 0;

  /** `types`: the filters offered, the first is the default (Studio: images; Media: audio and video). */
  constructor(api: Api, types: readonly [LibraryType, ...LibraryType[]]) {
    this.#api = api;
    this.types = types;
    this.#type = types[0];
  }

  get type(): LibraryType {
    return this.#type;
  }
  get query(): string {
    return this.#query;
  }
  /** False until the Library answered once (no empty-state flash). */
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): AppError | null {
    return this.#error;
  }

  setType(type: LibraryType): void {
    this.#type = type;
    void this.refresh();
  }

  /** Search as the user types (debounced). */
  setQuery(text: string): void {
    this.#query = text;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), SEARCH_DEBOUNCE_MS);
  }

  /** Asks the Library again (after a new upload, a stored result, a finished conversion). */
  async refresh(): Promise<void> {
    const request = ++this.#request;
    const query = this.#query.trim();
    const result = await this.#api.call('library:list', { type: this.#type, limit: PICKER_LIMIT, ...(query ? { query } : {}) });
    // A slower earlier answer must not overwrite a newer search.
    if (request !== this.#request) return;
    this.#loaded = true;
    if (result.ok) {
      this.#library = result.value.items.map(fromLibrary);
      this.#error = null;
    } else this.#error = result.error;
  }

  /**
   * Queue uploads first (newest first), then Library entries not already listed; `keep` (a pick
   * made elsewhere, e.g. the Library's "Open in studio") stays listed whatever the filter.
   */
  items(jobs: readonly JobView[], keep: PickerItem | null = null): PickerItem[] {
    const needle = this.#query.trim().toLowerCase();
    const matches = (i: PickerItem): boolean =>
      mimeMatchesType(i.mimetype, this.#type) && (needle === '' || i.name.toLowerCase().includes(needle) || (i.relativePath ?? '').toLowerCase().includes(needle));
    const queued = jobs.flatMap((j) => fromJob(j) ?? []).reverse().filter(matches);
    // First occurrence wins: the same upload is in the Queue and in the Library under one id.
    const seen: Record<string, true> = Object.create(null) as Record<string, true>;
    return [...(keep ? [keep] : []), ...queued, ...this.#library].filter((item) => !seen[item.id] && (seen[item.id] = true));
  }

  /** True when there is nothing of the picker's types anywhere (no search narrowing it). */
  nothingAtAll(jobs: readonly JobView[]): boolean {
    return this.#loaded && this.#query.trim() === '' && this.#type === this.types[0] && this.items(jobs).length === 0;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#request++;
  }
}
