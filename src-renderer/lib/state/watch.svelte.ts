import type { AppError } from '../../../src-shared/errors.js';
import type { RequestOf, WatchFolderView } from '../../../src-shared/ipc/channels.js';
import type { Api } from '../api.js';

/** How often the folder list is re-read while the view is open (there is no push event). */
export const WATCH_POLL_MS = 2_000;

export type WatchDraft = RequestOf<'watch:add'>;
export type WatchPatch = Omit<RequestOf<'watch:update'>, 'id'>;

/**
 * Watched folders as the host reports them (`watch:list`), polled while a view shows them, and
 * the actions that add, change, switch and remove folders.
 */
export class WatchManager {
  readonly #api: Api;
  #folders = $state.raw<WatchFolderView[] | null>(null);
  #lastError = $state.raw<AppError | null>(null);
  #busy = $state(false);

  constructor(api: Api) {
    this.#api = api;
  }

  /** The folders, or null before the first answer. */
  get folders(): WatchFolderView[] | null {
    return this.#folders;
  }
  get lastError(): AppError | null {
    return this.#lastError;
  }
  get busy(): boolean {
    return this.#busy;
  }

  async load(): Promise<void> {
    const result = await this.#api.call('watch:list', {});
    if (result.ok) this.#folders = result.value.folders;
    else this.#lastError = result.error;
  }

  /** Loads now and every WATCH_POLL_MS until the returned stop function runs. */
  poll(): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = async (): Promise<void> => {
      await this.load();
      // Chained, not setInterval: a slow host never gets overlapping calls.
      if (!stopped) timer = setTimeout(() => void tick(), WATCH_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }

  add(draft: WatchDraft): Promise<boolean> {
    return this.#run(() => this.#api.call('watch:add', draft));
  }
  /** Changes a folder's rules; a full draft may be passed (its path and enabled flag are ignored). */
  update(id: string, patch: WatchPatch | WatchDraft): Promise<boolean> {
    const rules: WatchPatch = { ...patch };
    delete (rules as Partial<WatchDraft>).path;
    delete (rules as Partial<WatchDraft>).enabled;
    return this.#run(() => this.#api.call('watch:update', { ...rules, id }));
  }
  setEnabled(id: string, enabled: boolean): Promise<boolean> {
    return this.#run(() => this.#api.call('watch:set-enabled', { id, enabled }));
  }
  remove(id: string): Promise<boolean> {
    return this.#run(() => this.#api.call('watch:remove', { id }));
  }

  dismissError(): void {
    this.#lastError = null;
  }

  async #run(action: () => Promise<{ ok: boolean; error?: AppError }>): Promise<boolean> {
    this.#busy = true;
    try {
      const result = await action();
      this.#lastError = result.ok ? null : (result.error ?? null);
      await this.load();
      return result.ok;
    } finally {
      this.#busy = false;
    }
  }
}
