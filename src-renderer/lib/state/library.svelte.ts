import type { AppError } from '../../../src-shared/errors.js';
import type { LibraryItem, ResponseOf, SignedLink } from '../../../src-shared/ipc/channels.js';
import { formatLink, type LinkFormat } from '../../../src-shared/links.js';
import type { LibrarySort } from '../../../src-shared/model/library.js';
import { isThumbnailable } from '../../../src-shared/thumbnails.js';
import type { Api } from '../api.js';
import { followLibrary } from '../library-follow.js';
import { placeEntries, withoutFile } from '../library-place.js';
import { LibraryFilters, type FilterKey } from './library-filters.svelte.js';

/** Entries fetched per request as the Library scrolls (the contract allows up to 500). */
export const LIBRARY_PAGE = 200;
const COPIED_MS = 1500;
const SEARCH_DEBOUNCE_MS = 200;
/** The countdowns show minutes; a one-second tick keeps the "expired" flip prompt. */
const TICK_MS = 1000;

/** Calls a Filestack/local signed link may allow. */
export type SignCall = SignedLink['calls'][number];

export { expiryText, folderOf, madeFromText } from '../library-text.js';

/** How the Library lays out its entries. */
export type LibraryLayout = 'list' | 'grid';

/**
 * The Library view's state: the finished uploads loaded so far (more as the user scrolls), with
 * search, filters, folder and order (`filters`), the count of every entry for the sidebar, the
 * signed links made so far, and the actions (copy, delete, sign). New entries announced by the
 * host are placed in what is loaded while the view is open. Components read the getters and
 * call the methods; only this class talks to the host.
 */
export class LibraryManager {
  readonly #api: Api;
  #items = $state.raw<LibraryItem[]>([]);
  #total = $state(0);
  #all = $state<number | null>(null);
  #loaded = $state(false);
  #loading = false;
  #open = false;
  /** Set by the view: runs `apply` (entries placed) so that what the user looks at stays where it is. */
  keepInView: ((apply: () => void) => Promise<void>) | null = null;
  /** The search, filters, folder and order; change them through the set* methods (they reload). */
  readonly filters = new LibraryFilters();
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
  /** Every folder of the stored paths, A–Z, with its count (LibraryFolderTree makes the tree). */
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
    this.#open = true;
    void this.refresh();
    void this.#loadFormat();
    const tick = setInterval(() => (this.#now = Date.now()), TICK_MS);
    return () => {
      this.#open = false;
      clearInterval(tick);
      if (this.#searchTimer) clearTimeout(this.#searchTimer);
    };
  }

  /**
   * Counts the Library now and follows what enters it for the window's life (the host's
   * `library:added`, from any intake or a Studio/Media result): the sidebar count and folder tree
   * update, and an open view places the new entries (after a lost connection, counts and lists
   * again); returns the unsubscribe.
   */
  follow(): () => void {
    this.refreshCount();
    return followLibrary(this.#api, {
      added: (ids) => {
        this.refreshCount();
        if (this.#open && this.#loaded) void this.#place(ids);
      },
      reconnected: () => (this.refreshCount(), this.#open && void this.refresh()),
    });
  }

  /** Puts new entries where they belong in the loaded list (see placeEntries); nothing reloads. */
  async #place(ids: string[]): Promise<void> {
    const request = this.#request;
    const answer = await this.#api.call('library:place', { ...this.filters.request(Date.now()), ids: ids.slice(0, 500) });
    // A new search or filter since then reloads anyway.
    if (request !== this.#request || !answer.ok) return;
    this.#take(answer.value.total);
    const placed = answer.value.placed;
    if (placed.length === 0) return;
    const apply = (): void => void (this.#items = placeEntries(this.#items, placed));
    await (this.keepInView ? this.keepInView(apply) : apply());
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
    this.filters.query = text;
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.refresh(), SEARCH_DEBOUNCE_MS);
  }

  setFolder(folder: string): void {
    this.filters.folder = folder;
    void this.refresh();
  }

  /** A new order reloads from the top: the host sorts, so loaded pages would not line up. */
  setSort(sort: LibrarySort): void {
    this.filters.sort = sort;
    void this.refresh();
  }

  /** Sets one of the menu's filters (`filters.type = …` and friends) and reloads. */
  setFilter<K extends FilterKey>(key: K, value: LibraryFilters[K]): void {
    (this.filters as Record<FilterKey, unknown>)[key] = value;
    void this.refresh();
  }

  clearFilter(key: FilterKey): void {
    this.filters.clear(key);
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
    return this.#api.call('library:list', { ...this.filters.request(Date.now()), limit: LIBRARY_PAGE, offset });
  }

  /** A total with no search or filter is also the sidebar's count. */
  #take(total: number): void {
    this.#total = total;
    if (!this.filters.narrowed) this.#all = total;
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
    if (result.ok && this.#items.some((i) => i.id === id)) {
      // Dropped where it is (a reload from the top would lose the scroll position).
      const left = withoutFile(this.#items, id);
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
