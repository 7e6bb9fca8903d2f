import type { AppError } from '../../../src-shared/errors.js';
import type { LibraryItem } from '../../../src-shared/ipc/channels.js';
import { SvelteMap } from 'svelte/reactivity';
import type { LibraryManager } from './library.svelte.js';

/** A bulk action's item that did not go through, with the host's reason. */
export type BulkFailure = { readonly id: string; readonly name: string; readonly message: string };

/** Where a bulk action is: `done` of `of` tried so far. */
export type BulkProgress = { readonly action: BulkAction; readonly done: number; readonly of: number };
export type BulkAction = 'delete' | 'sign';

/**
 * The Library's multi-selection and its bulk actions. It keeps the selected entries themselves
 * (not only ids), so a selection survives a new search or sort and its links can still be
 * copied; shift-click selects the range from the last box clicked in the order shown.
 */
export class LibrarySelection {
  readonly #library: LibraryManager;
  readonly #selected = new SvelteMap<string, LibraryItem>();
  #anchor: string | null = null;
  #progress = $state.raw<BulkProgress | null>(null);
  #failures = $state.raw<BulkFailure[]>([]);
  #failed = $state<BulkAction>('delete');

  constructor(library: LibraryManager) {
    this.#library = library;
  }

  get count(): number {
    return this.#selected.size;
  }
  /** Set while a bulk delete runs. */
  get progress(): BulkProgress | null {
    return this.#progress;
  }
  /** What the last bulk action could not do; each stays selected so it can be tried again. */
  get failures(): readonly BulkFailure[] {
    return this.#failures;
  }
  /** Which action the failures are of. */
  get failed(): BulkAction {
    return this.#failed;
  }

  has(id: string): boolean {
    return this.#selected.has(id);
  }

  /**
   * A box was set to `on`. With shift, every entry between the last box clicked and this one
   * (in the order the Library shows) is set the same way.
   */
  set(item: LibraryItem, on: boolean, range: boolean): void {
    const shown = this.#library.items;
    const from = range && this.#anchor !== null ? shown.findIndex((i) => i.id === this.#anchor) : -1;
    const to = shown.findIndex((i) => i.id === item.id);
    const span = from >= 0 && to >= 0 ? shown.slice(Math.min(from, to), Math.max(from, to) + 1) : [item];
    for (const i of span) {
      if (on) this.#selected.set(i.id, i);
      else this.#selected.delete(i.id);
    }
    this.#anchor = item.id;
  }

  /** Every entry loaded so far (the Library loads more as it scrolls; those are not guessed at). */
  selectAllLoaded(): void {
    for (const i of this.#library.items) this.#selected.set(i.id, i);
  }

  clear(): void {
    this.#selected.clear();
    this.#anchor = null;
    this.#failures = [];
  }

  /** The selected entries' links in the chosen format, one a line, in the order shown where loaded. */
  linksText(): string {
    return this.#ordered()
      .map((i) => this.#library.linkText(i))
      .join('\n');
  }

  copyLinks(): Promise<void> {
    return this.#library.copyText('selection', this.linksText());
  }

  /**
   * Deletes every selected entry remotely, one at a time. Each one deleted leaves the selection;
   * each failure stays selected and is listed with its reason, so nothing is lost silently.
   */
  async deleteSelected(): Promise<void> {
    const items = this.#ordered();
    const failures: BulkFailure[] = [];
    this.#failures = [];
    this.#progress = { action: 'delete', done: 0, of: items.length };
    for (const [n, item] of items.entries()) {
      const error: AppError | null = await this.#library.remove(item.id, true);
      // Another selected name of the same stored file goes with the first one deleted: already gone is done.
      if (error && error.code !== 'not_found') failures.push({ id: item.id, name: item.name, message: error.message });
      else this.#selected.delete(item.id);
      this.#progress = { action: 'delete', done: n + 1, of: items.length };
    }
    this.#progress = null;
    this.#failed = 'delete';
    this.#failures = failures;
  }

  /**
   * Signs a link for every selected entry with one lifetime (read-only on Filestack), then copies
   * the signed links, one a line, in the order shown. Failures are listed like a delete's.
   */
  async signSelected(ttlSeconds: number): Promise<void> {
    const items = this.#ordered();
    const urls: string[] = [];
    const failures: BulkFailure[] = [];
    this.#failures = [];
    for (const [n, item] of items.entries()) {
      this.#progress = { action: 'sign', done: n, of: items.length };
      const link = await this.#library.sign(item.id, ttlSeconds, item.destination === 'imagekit' ? undefined : ['read']);
      // sign() leaves its reason in lastError; here it belongs in the list beside the name.
      if (link) urls.push(link.url);
      else failures.push({ id: item.id, name: item.name, message: this.#library.lastError?.message ?? 'Not signed.' });
    }
    if (failures.length > 0) this.#library.dismissError();
    this.#progress = null;
    this.#failed = 'sign';
    this.#failures = failures;
    if (urls.length > 0) await this.#library.copyText('selection-signed', urls.join('\n'));
  }

  /** Loaded entries in the Library's order first, then any selected under an earlier search. */
  #ordered(): LibraryItem[] {
    const shown = this.#library.items.filter((i) => this.#selected.has(i.id));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway lookup, never read reactively
    const ids = new Set(shown.map((i) => i.id));
    return [...shown, ...[...this.#selected.values()].filter((i) => !ids.has(i.id))];
  }
}
