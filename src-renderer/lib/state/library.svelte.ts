import type { AppError } from '../../../src-shared/errors.js';
import type { LibraryItem, SignedLink } from '../../../src-shared/ipc/channels.js';
import { formatLink, type LinkFormat } from '../../../src-shared/links.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { Api } from '../api.js';

/** Rows per page of the library. */
export const LIBRARY_PAGE = 50;
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

/**
 * The Library view's state: one page of finished uploads with search, destination filter and
 * paging, the signed links made so far, and the actions (copy, delete, sign). Components read the
 * getters and call the methods; only this class talks to the host.
 */
export class LibraryManager {
  readonly #api: Api;
  #items = $state.raw<LibraryItem[]>([]);
  #total = $state(0);
  #loaded = $state(false);
  #query = $state('');
  #destination = $state<DestinationKind | ''>('');
  #offset = $state(0);
  #links = $state.raw<SignedLink[]>([]);
  #format = $state<LinkFormat>('url');
  #copied = $state<string | null>(null);
  #now = $state(Date.now());
  #lastError = $state.raw<AppError | null>(null);
  #searchTimer: ReturnType<typeof setTimeout> | null = null;
  #copiedTimer: ReturnType<typeof setTimeout> | null = null;
  #request = 0;

  constructor(api: Api) {
    this.#api = api;
  }

  get items(): readonly LibraryItem[] {
    return this.#items;
  }
  /** Matching uploads in all pages. */
  get total(): number {
    return this.#total;
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
  get offset(): number {
    return this.#offset;
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

  linksFor(id: string): SignedLink[] {
    return this.#links.filter((l) => l.itemId === id);
  }

  /** Search as the user types: debounced, back to the first page. */
  setQuery(text: string): void {
    this.#query = text;
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => {
      this.#offset = 0;
      void this.refresh();
    }, SEARCH_DEBOUNCE_MS);
  }

  setDestination(d: DestinationKind | ''): void {
    this.#destination = d;
    this.#offset = 0;
    void this.refresh();
  }

  page(delta: 1 | -1): void {
    const next = this.#offset + delta * LIBRARY_PAGE;
    if (next < 0 || next >= this.#total) return;
    this.#offset = next;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const request = ++this.#request;
    const query = this.#query.trim();
    const [list, links] = await Promise.all([
      this.#api.call('library:list', {
        ...(query ? { query } : {}),
        ...(this.#destination ? { destination: this.#destination } : {}),
        limit: LIBRARY_PAGE,
        offset: this.#offset,
      }),
      this.#api.call('links:list', {}),
    ]);
    // A slower earlier answer must not overwrite a newer search.
    if (request !== this.#request) return;
    if (list.ok) {
      this.#items = list.value.items;
      this.#total = list.value.total;
      this.#loaded = true;
    } else this.#lastError = list.error;
    if (links.ok) this.#links = links.value.links;
  }

  /** Copies the item's link in the chosen format. */
  copyItem(item: LibraryItem): Promise<void> {
    return this.copyText(`item:${item.id}`, formatLink(item.url, item.name, this.#format));
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

  /** Deletes the remote file and forgets it; true on success. */
  async remove(id: string): Promise<boolean> {
    const result = await this.#api.call('library:delete', { id });
    if (!result.ok) this.#lastError = result.error;
    // The page may now be past the end (last item of the last page deleted).
    if (result.ok && this.#offset > 0 && this.#offset >= this.#total - 1) this.#offset = Math.max(0, this.#offset - LIBRARY_PAGE);
    await this.refresh();
    return result.ok;
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
