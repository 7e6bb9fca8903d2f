import type { AppError } from '../../../src-shared/errors.js';
import type { MediaJob, RequestOf } from '../../../src-shared/ipc/channels.js';
import type { Api } from '../api.js';

export type MediaRequest = RequestOf<'media:convert'>;

/**
 * Media jobs: a snapshot from `media:list` kept current by `media:updated` pushes (each carries
 * the changed jobs whole, so a push simply replaces its job).
 */
export class MediaManager {
  readonly #api: Api;
  #jobs = $state.raw<readonly MediaJob[]>([]);
  #error = $state.raw<AppError | null>(null);
  #starting = $state(false);
  #copiedId = $state<string | null>(null);

  /** Newest first. */
  readonly jobs = $derived([...this.#jobs].sort((a, b) => (b.timeline[1]?.at ?? 0) - (a.timeline[1]?.at ?? 0)));

  constructor(api: Api) {
    this.#api = api;
  }

  get error(): AppError | null {
    return this.#error;
  }
  get starting(): boolean {
    return this.#starting;
  }
  get copiedId(): string | null {
    return this.#copiedId;
  }

  /** Subscribes, then loads the snapshot; returns the unsubscribe. */
  start(): () => void {
    const off = this.#api.subscribe('media:updated', ({ jobs }) => this.#merge(jobs));
    void this.reload();
    return off;
  }

  async reload(): Promise<void> {
    const result = await this.#api.call('media:list', {});
    if (result.ok) this.#merge(result.value.jobs);
    else this.#error = result.error;
  }

  async convert(req: MediaRequest): Promise<void> {
    this.#starting = true;
    try {
      const result = await this.#api.call('media:convert', req);
      this.#error = result.ok ? null : result.error;
    } finally {
      this.#starting = false;
    }
  }

  async copy(job: MediaJob): Promise<void> {
    if (!job.url) return;
    try {
      await navigator.clipboard.writeText(job.url);
      this.#copiedId = job.id;
      setTimeout(() => {
        if (this.#copiedId === job.id) this.#copiedId = null;
      }, 1500);
    } catch {
      this.#error = { code: 'permission', message: 'The clipboard is not available; copy the link by hand.', retryable: false };
    }
  }

  #merge(jobs: readonly MediaJob[]): void {
    const next = [...this.#jobs];
    for (const job of jobs) {
      const at = next.findIndex((j) => j.id === job.id);
      const known = at === -1 ? undefined : next[at];
      // A snapshot older than a push must not roll a job back.
      if (!known) next.push(job);
      else if (job.timeline.length >= known.timeline.length) next[at] = job;
    }
    this.#jobs = next;
  }
}
