import type { AppError } from '../../../src-shared/errors.js';
import type { LibraryItem, ResponseOf, SignedLink } from '../../../src-shared/ipc/channels.js';
import { formatLink, type LinkFormat } from '../../../src-shared/links.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { LibrarySort } from '../../../src-shared/model/library.js';
import { isThumbnailable } from '../../../src-shared/thumbnails.js';
import type { Api } from '../api.js';

/** Entries fetched per request as the Library scrolls (the contract allows up to 500). */
export const LIBRARY_PAGE = 200;
const COPIED_MS = 1500;
const SEARCH_DEBOUNCE_MS = 200;
/** The countdowns show minutes; a one-second tick keeps the "expired" flip prompt. */
const TICK_MS = 1000;

/** Calls a Filestack/local signed link may allow. */
export type SignCall = SignedLink['calls'][number];

/** "expires in 23 h 59 min", "expires in 6 d 23 h", "expires in 42 s" or "expired". */
export function expiryText(expiresAt: number, now: number): string {
  const s = Math.floor((expiresAt - now) / 1000);
  if (s <= 0) return 'expired';
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `expires in ${d} d ${h} h`;
  if (h > 0) return `expires in ${h} h ${m} min`;
  if (m > 0) return `expires in ${m} min`;
  return `expires in ${s} s`;
}

/** How a made entry reads: "Converted from clip.mp4"; the source may have left the Library. */
export function madeFromText(made: NonNullable<LibraryItem['madeFrom']>): { lead: string; source: string | null } {
  const lead = made.kind === 'duplicate' ? 'Same file as' : made.kind === 'transform' ? 'Made in Studio from' : 'Converted from';
  return made.name === null ? { lead: `${lead} a file no longer in the Library`, source: null } : { lead, source: made.name };
}

/** The folder part of a path inside a dropped folder (`trip/day1/` of `trip/day1/a.jpg`), or null. */
export function folderOf(relativePath: string | null): string | null {
  const cut = relativePath?.lastIndexOf('/') ?? -1;
  return relativePath && cut > 0 ? relativePath.slice(0, cut + 1) : null;
}

/** How the Library lays out its entries. */
export type LibraryLayout = 'list' | 'grid';

/**
 * The Library view's state: the finished uploads loaded so far (more as the user scrolls), with
 * search and destination filter, the count of every entry for the sidebar, the signed links made
 * so far, and the actions (copy, delete, sign). Components read the getters and call the
 * methods; only this class talks to the host.
 */
export class LibraryManager {
  readonly #api: Api;
  #items = $state.raw<LibraryItem[]>([]);
  #total = $state(0);
  #all = $state<number | null>(null);
  #loaded = $state(false);
  #loading = false;
  #query = $state('');
  #destination = $state<DestinationKind | ''>('');
  #sort = $state<LibrarySort>('newest');
  #folder = $state('');
  #folders = $state.raw<ResponseOf<'library:folders'>['folders']>([]);
  #layout = $state<LibraryLayout>('list');
  #links = $state.raw<SignedLink[]>([]);
  #format = $state<LinkFormat>('url');
  #copied = $state<string | null>(null);
  #now = $state(Date.now());
  #lastError = $state.raw<AppError | null>(null);
  #searchTimer: ReturnType<typeof setTimeout> | null = null;
  #copiedTimer: ReturnType<typeof setTimeout> | null = null;
  #countTimer: ReturnType<typeof setTimeout> | null = null;
  #request = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  /** The entries loaded so far, in the chosen order; `loadMore` appends the next page. */
  get items(): readonly LibraryItem[] {
    return this.#items;
  }
  /** Entries matching the search and filter, loaded or not. */
  get total(): number {
    return this.#total;
  }
  /** Every entry in the Library whatever the search (the sidebar's count); null until known. */
  get count(): number | null {
    return this.#all;
  }
  /** False until the first page arrived (no empty-state flash). */
  get loaded(): boolean {
    return this.#loaded;
  }
  get query(): string {
    return this.#query;
  }
  get destination(): DestinationKind | '' {
    return this.#destination;
  }
  get sort(): LibrarySort {
    return this.#sort;
  }
  /** The folder filter (`trip/`), or '' for all; `folders` is the tree from stored paths. */
  get folder(): string {
    return this.#folder;
  }
  get folders(): ResponseOf<'library:folders'>['folders'] {
    return this.#folders;
  }
  get layout(): LibraryLayout {
    return this.#layout;
  }
  set layout(value: LibraryLayout) {
    this.#layout = value;
  }
  get format(): LinkFormat {
    return this.#format;
  }
  set format(value: LinkFormat) {
    this.#format = value;
  }
  /** Key of what was just copied (`item:<id>` or `link:<id>`), for a short "Copied". */
  get copied(): string | null {
    return this.#copied;
  }
  /** Epoch ms, ticking while the view is shown: drives the expiry countdowns. */
  get now(): number {
    return this.#now;
  }
  get lastError(): AppError | null {
    return this.#lastError;
  }

  /** Loads the first page, the links and the preferred link format; returns the stop function. */
  start(): () => void {
    void this.refresh();
    void this.#loadFormat();
    const tick = setInterval(() => (this.#now = Date.now()), TICK_MS);
    return () => {
      clearInterval(tick);
      if (this.#searchTimer) clearTimeout(this.#searchTimer);
    };
  }

  /**
   * Asks for the number of entries (one row's query), coalescing calls that come in a burst: the
   * sidebar shows the count from the first paint, and uploads finishing call this again. The
   * folder tree follows along (an upload or a delete can add or empty a folder).
   */
  refreshCount(delayMs = 0): void {
    if (this.#countTimer) return;
    this.#countTimer = setTimeout(() => {
      this.#countTimer = null;
      void this.#api.call('library:list', { limit: 1 }).then((r) => {
        if (r.ok) this.#all = r.value.total;
      });
      void this.#api.call('library:folders', {}).then((r) => r.ok && (this.#folders = r.value.folders));
    }, delayMs);
  }

  linksFor(id: string): SignedLink[] {
    return this.#links.filter((l) => l.itemId === id);
  }

  /** Search as the user types: debounced, from the top again. */
  setQuery(text: string): void {
    this.#query = text;
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.refresh(), SEARCH_DEBOUNCE_MS);
  }

  setDestination(d: DestinationKind | ''): void {
    this.#destination = d;
    void this.refresh();
  }

  setFolder(folder: string): void {
    this.#folder = folder;
    void this.refresh();
  }

  /** A new order reloads from the top: the host sorts, so loaded pages would not line up. */
  setSort(sort: LibrarySort): void {
    this.#sort = sort;
    void this.refresh();
  }

  /** Loads the first page again (a new search, a delete, an entry added) and the signed links. */
  async refresh(): Promise<void> {
    const request = ++this.#request;
    const [list, links, folders] = await Promise.all([this.#page(0), this.#api.call('links:list', {}), this.#api.call('library:folders', {})]);
    // A slower earlier answer must not overwrite a newer search.
    if (request !== this.#request) return;
    if (list.ok) {
      this.#items = list.value.items;
      this.#take(list.value.total);
      this.#loaded = true;
    } else this.#lastError = list.error;
    if (links.ok) this.#links = links.value.links;
    if (folders.ok) this.#folders = folders.value.folders;
  }

  /** Appends the next page when there is one and none is on its way (the list calls it near its end). */
  async loadMore(): Promise<void> {
    if (this.#loading || !this.#loaded || this.#items.length >= this.#total) return;
    this.#loading = true;
    const request = this.#request;
    try {
      const list = await this.#page(this.#items.length);
      if (request !== this.#request) return;
      if (!list.ok) {
        this.#lastError = list.error;
        return;
      }
      // Entries added since the first page shift the rest down; skip any already listed.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway lookup, never read reactively
      const seen = new Set(this.#items.map((i) => i.id));
      this.#items = [...this.#items, ...list.value.items.filter((i) => !seen.has(i.id))];
      this.#take(list.value.total);
    } finally {
      this.#loading = false;
    }
  }

  #page(offset: number) {
    const query = this.#query.trim();
    return this.#api.call('library:list', {
      ...(query ? { query } : {}),
      ...(this.#destination ? { destination: this.#destination } : {}),
      ...(this.#sort !== 'newest' ? { sort: this.#sort } : {}),
      ...(this.#folder ? { folder: this.#folder } : {}),
      limit: LIBRARY_PAGE,
      offset,
    });
  }

  /** A total with no search or filter is also the sidebar's count. */
  #take(total: number): void {
    this.#total = total;
    if (this.#query.trim() === '' && this.#destination === '' && this.#folder === '') this.#all = total;
  }

  /** The item's link in the chosen format; an image embeds (`![](…)`, `<img>`, `[img]`), as the queue's copies do. */
  linkText(item: LibraryItem): string {
    return formatLink(item.url, item.name, this.#format, { image: isThumbnailable(item.mimetype) });
  }

  /** Copies the item's link in the chosen format. */
  copyItem(item: LibraryItem): Promise<void> {
    return this.copyText(`item:${item.id}`, this.linkText(item));
  }

  async copyText(key: string, text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      this.#lastError = { code: 'permission', message: 'The clipboard is not available; copy the link by hand.', retryable: false };
      return;
    }
    this.#copied = key;
    if (this.#copiedTimer) clearTimeout(this.#copiedTimer);
    this.#copiedTimer = setTimeout(() => (this.#copied = null), COPIED_MS);
  }

  /** Deletes the remote file and forgets it; null on success, else the error (also kept in lastError unless `quiet`). */
  async remove(id: string, quiet = false): Promise<AppError | null> {
    const result = await this.#api.call('library:delete', { id });
    if (!result.ok && !quiet) this.#lastError = result.error;
    const gone = this.#items.find((i) => i.id === id);
    if (result.ok && gone) {
      // Drop it, and every other name of the same stored file (deleted with it), where it is: a
      // reload from the top would lose the scroll position deep in a long Library.
      const same = (i: LibraryItem): boolean => i.id === id || (i.destination === gone.destination && i.url === gone.url);
      const left = this.#items.filter((i) => !same(i));
      this.#take(Math.max(0, this.#total - (this.#items.length - left.length)));
      this.#items = left;
      this.#links = this.#links.filter((l) => l.itemId !== id);
      this.refreshCount();
    }
    return result.ok ? null : result.error;
  }

  /** Makes a signed link; the new link, or null (the error is in lastError). */
  async sign(id: string, ttlSeconds: number, calls?: SignCall[]): Promise<SignedLink | null> {
    const result = await this.#api.call('links:sign', { id, ttlSeconds, ...(calls && calls.length > 0 ? { calls } : {}) });
    if (!result.ok) {
      this.#lastError = result.error;
      return null;
    }
    this.#links = [result.value, ...this.#links];
    return result.value;
  }

  dismissError(): void {
    this.#lastError = null;
  }

  async #loadFormat(): Promise<void> {
    const settings = await this.#api.call('settings:get', {});
    if (settings.ok && 'linkFormat' in settings.value) this.#format = settings.value.linkFormat;
  }
}
