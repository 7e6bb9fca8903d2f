import type { AppError } from '../../../src-shared/errors.js';
import type { ResponseOf } from '../../../src-shared/ipc/channels.js';
import type { JobView } from '../../../src-shared/model/job.js';
import type { Api } from '../api.js';
import { buildChain, defaultControls, type StudioControls } from '../studio-steps.js';

/** Wait after the last control change before asking for a preview, ms. */
export const PREVIEW_DEBOUNCE_MS = 300;

export type StudioPreview = ResponseOf<'studio:preview'>;
export type StudioStored = ResponseOf<'studio:store'>;

/** An uploaded image the studio can open (from the Library picker or the Library's "Open in studio"). */
export type StudioSource = { id: string; name: string; url: string; destination: JobView['destination'] };

/**
 * The transform studio's state: the chosen file, the controls, and the latest preview. Control
 * changes schedule a debounced preview; a reply to an older request is dropped so a slow render
 * never overwrites a newer one.
 */
export class StudioManager {
  readonly #api: Api;
  #source = $state.raw<StudioSource | null>(null);
  #preview = $state.raw<StudioPreview | null>(null);
  #stored = $state.raw<StudioStored | null>(null);
  #error = $state.raw<AppError | null>(null);
  #loading = $state(false);
  #storing = $state(false);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #seq = 0;
  /** The controls; components bind to its fields, then call `changed()`. */
  controls = $state<StudioControls>(defaultControls());

  constructor(api: Api) {
    this.#api = api;
  }

  get source(): StudioSource | null {
    return this.#source;
  }
  get preview(): StudioPreview | null {
    return this.#preview;
  }
  get stored(): StudioStored | null {
    return this.#stored;
  }
  get error(): AppError | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get storing(): boolean {
    return this.#storing;
  }

  /** Opens a file: controls reset and the original is measured at once. */
  select(source: StudioSource | null): void {
    this.#source = source;
    this.#preview = null;
    this.#stored = null;
    this.#error = null;
    this.controls = defaultControls();
    if (source) void this.refresh();
  }

  /** Call after any control change: previews once the user pauses. */
  changed(): void {
    this.#stored = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh();
    }, PREVIEW_DEBOUNCE_MS);
  }

  reset(): void {
    this.controls = defaultControls();
    this.changed();
  }

  /** Asks for a preview of the current controls now. */
  async refresh(): Promise<void> {
    const source = this.#source;
    if (!source) return;
    const seq = ++this.#seq;
    this.#loading = true;
    const result = await this.#api.call('studio:preview', { jobId: source.id, chain: this.#chain(source) });
    if (seq !== this.#seq) return;
    this.#loading = false;
    if (result.ok) {
      this.#preview = result.value;
      this.#error = null;
    } else {
      this.#error = result.error;
    }
  }

  /** Stores the current result as a new file. */
  async store(): Promise<void> {
    const source = this.#source;
    if (!source || this.#storing) return;
    this.#storing = true;
    try {
      const result = await this.#api.call('studio:store', { jobId: source.id, chain: this.#chain(source) });
      if (result.ok) {
        this.#stored = result.value;
        this.#error = null;
      } else {
        this.#error = result.error;
      }
    } finally {
      this.#storing = false;
    }
  }

  /** Copies `text`; a missing clipboard becomes a visible error. */
  async copy(text: string): Promise<boolean> {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      this.#error = { code: 'permission', message: 'The clipboard is not available; copy the link by hand.', retryable: false };
      return false;
    }
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#seq++;
  }

  #chain(source: StudioSource) {
    return buildChain(source.destination, $state.snapshot(this.controls));
  }
}
