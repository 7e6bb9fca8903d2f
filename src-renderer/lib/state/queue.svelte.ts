import type { AppError, Result } from '../../../src-shared/errors.js';
import type { AppInfo } from '../../../src-shared/ipc/channels.js';
import type { JobView } from '../../../src-shared/model/job.js';
import type { LinkFormat } from '../../../src-shared/links.js';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { Api, DroppedEntry } from '../api.js';
import { byCreation, countJobs, groupQueue, linkTextOf } from '../queue-groups.js';

/** How long a "Copied" confirmation stays on a row. */
const COPIED_MS = 2_000;

/**
 * The renderer's queue: jobs by id, kept current from `jobs:updated` / `jobs:removed` pushes and
 * reloaded from a `jobs:list` snapshot on start and after every reconnect. Components read the
 * getters and call the methods; only this class talks to lib/api.ts about jobs.
 */
export class QueueManager {
  readonly #api: Api;
  /** Reactive per key: a push touching one job does not copy the others. */
  readonly #jobs = new SvelteMap<string, JobView>();
  #connected = $state(false);
  #everConnected = $state(false);
  #info = $state.raw<AppInfo | null>(null);
  /** Files being streamed to the host that have no job yet. */
  #sending = $state(0);
  /** A row's job id, `batch:<id>` or `selection`: what was just copied. */
  #copiedId = $state<string | null>(null);
  /** Rows the user ticked (for "Copy links" of a selection). */
  readonly #selected = new SvelteSet<string>();
  /** The last failure of a user action, shown until the next action succeeds or is dismissed. */
  #lastError = $state.raw<AppError | null>(null);
  /** Files that could not reach Ferry (it was away); "Send again" offers them once more. */
  #unsent = $state.raw<readonly DroppedEntry[]>([]);
  #copiedTimer: ReturnType<typeof setTimeout> | null = null;
  /** Ids pushed while a snapshot was loading; the snapshot must not drop them. */
  #pushedDuringLoad: Set<string> | null = null;
  /** Ids removed while a snapshot was loading; an older snapshot must not bring them back. */
  #removedDuringLoad: Set<string> | null = null;
  #stops: (() => void)[] = [];

  readonly jobs = $derived([...this.#jobs.values()].sort(byCreation));
  /** Batches newest first, each a header and its rows (what the list shows). */
  readonly items = $derived(groupQueue(this.jobs));
  /** Done, already there, failed, canceled, left: what the user asked for, counted as they think of it. */
  readonly counts = $derived(countJobs(this.jobs));
  /** Bytes done over bytes wanted, 0..1, ignoring canceled jobs; done jobs count in full. */
  readonly progress = $derived.by(() => {
    let total = 0;
    let sent = 0;
    for (const j of this.jobs) {
      // A duplicate sends nothing; counting its size would hold the bar below 100 %.
      if (j.status.kind === 'canceled' || j.status.kind === 'duplicate') continue;
      total += j.size;
      sent += j.status.kind === 'done' ? j.size : Math.min(j.bytesSent, j.size);
    }
    return total === 0 ? 0 : sent / total;
  });

  readonly #linkFormat: () => LinkFormat;

  /** `linkFormat` is read at copy time (the Settings view can change it at any moment). */
  constructor(api: Api, linkFormat: () => LinkFormat = () => 'url') {
    this.#api = api;
    this.#linkFormat = linkFormat;
  }

  get connected(): boolean {
    return this.#connected;
  }
  /** False until the first connection, so "connecting" and "connection lost" read differently. */
  get everConnected(): boolean {
    return this.#everConnected;
  }
  get info(): AppInfo | null {
    return this.#info;
  }
  get sending(): number {
    return this.#sending;
  }
  get copiedId(): string | null {
    return this.#copiedId;
  }
  /** Ticked rows that still exist. */
  get selected(): ReadonlySet<string> {
    return this.#selected;
  }
  get lastError(): AppError | null {
    return this.#lastError;
  }
  /** True while files that could not be sent are kept for "Send again". */
  get canResend(): boolean {
    return this.#unsent.length > 0;
  }

  /** Subscribes to pushes and loads the first snapshot; returns a stop function for teardown. */
  start(): () => void {
    this.#stops.push(
      this.#api.subscribe('jobs:updated', ({ jobs }) => this.#apply(jobs)),
      this.#api.subscribe('jobs:removed', ({ ids }) => this.#remove(ids)),
      this.#api.onConnection((connected) => {
        const wasConnected = this.#connected;
        this.#connected = connected;
        // Pushes sent while we were away are lost: a fresh snapshot is the only truth.
        if (connected && !wasConnected) {
          this.#everConnected = true;
          void this.reload();
        }
      }),
    );
    return () => {
      for (const stop of this.#stops.splice(0)) stop();
      if (this.#copiedTimer) clearTimeout(this.#copiedTimer);
    };
  }

  /** Replaces the queue with the host's snapshot, keeping rows pushed while it was in flight. */
  async reload(): Promise<void> {
    // Plain bookkeeping; SvelteSet only because the linter wants reactive collections here.
    this.#pushedDuringLoad = new SvelteSet();
    this.#removedDuringLoad = new SvelteSet();
    const [list, info] = await Promise.all([this.#api.call('jobs:list', {}), this.#api.info()]);
    const pushed = this.#pushedDuringLoad;
    const removed = this.#removedDuringLoad;
    this.#pushedDuringLoad = null;
    this.#removedDuringLoad = null;
    if (info.ok) this.#info = info.value;
    if (!list.ok) {
      this.#lastError = list.error;
      return;
    }
    const snapshot = new SvelteMap<string, JobView>();
    for (const job of list.value.jobs) if (!removed.has(job.id)) snapshot.set(job.id, job);
    for (const id of pushed) {
      const newer = this.#jobs.get(id);
      const old = snapshot.get(id);
      if (newer && (!old || newer.updatedAt >= old.updatedAt)) snapshot.set(id, newer);
    }
    for (const id of [...this.#jobs.keys()]) {
      if (snapshot.has(id)) continue;
      this.#jobs.delete(id);
      this.#selected.delete(id);
    }
    for (const [id, job] of snapshot) if (this.#jobs.get(id) !== job) this.#jobs.set(id, job);
  }

  /** Hands dropped or picked files to the host; rows appear when the host pushes the new jobs. */
  async addFiles(entries: readonly DroppedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.#sending += entries.length;
    this.#unsent = [];
    try {
      const result = await this.#api.addDroppedFiles(entries);
      if (!result.ok) {
        this.#lastError = result.error;
        if (result.error.retryable) this.#unsent = [...entries];
      } else if (result.value.errors[0]) {
        this.#lastError = result.value.errors[0].error;
        // Keep only files lost on the way (network), not ones Ferry refused for a reason.
        const lost = result.value.errors.filter((e) => e.error.retryable).map((e) => e.name);
        this.#unsent = entries.filter((e) => lost.includes(e.relativePath ?? e.file.name));
      } else this.#lastError = null;
    } finally {
      this.#sending -= entries.length;
    }
  }

  pause(id: string): Promise<void> {
    return this.#run(this.#api.call('jobs:pause', { id }));
  }
  resume(id: string): Promise<void> {
    return this.#run(this.#api.call('jobs:resume', { id }));
  }
  cancel(id: string): Promise<void> {
    return this.#run(this.#api.call('jobs:cancel', { id }));
  }
  /** A failed or canceled job starts over; one waiting to retry tries again now ("Retry now"). */
  retry(id: string): Promise<void> {
    return this.#run(this.#api.call('jobs:retry', { id }));
  }
  pauseAll(): Promise<void> {
    return this.#run(this.#api.call('jobs:pause-all', {}));
  }
  resumeAll(): Promise<void> {
    return this.#run(this.#api.call('jobs:resume-all', {}));
  }
  clearFinished(): Promise<void> {
    return this.#run(this.#api.call('jobs:clear-finished', {}));
  }
  uploadAnyway(id: string): Promise<void> {
    return this.#run(this.#api.call('jobs:upload-anyway', { id }));
  }

  /** Copies a done job's link and shows "Copied" on that row for a moment. */
  copyLink(id: string): Promise<void> {
    return this.copyLinks([id], id);
  }

  /**
   * Copies the links of these jobs (those that have one), one per line in the user's format, and
   * marks `feedback` (a row id, `batch:<id>` or `selection`) as copied for a moment.
   */
  async copyLinks(ids: readonly string[], feedback: string): Promise<void> {
    const format = this.#linkFormat();
    const lines = ids.flatMap((id) => {
      const job = this.#jobs.get(id);
      const text = job ? linkTextOf(job, format) : null;
      return text === null ? [] : [text];
    });
    if (lines.length === 0) return;
    try {
      await navigator.clipboard.writeText(lines.join('\n'));
    } catch {
      this.#lastError = { code: 'permission', message: 'The clipboard is not available; copy the link by hand.', retryable: false };
      return;
    }
    this.#copiedId = feedback;
    if (this.#copiedTimer) clearTimeout(this.#copiedTimer);
    this.#copiedTimer = setTimeout(() => {
      this.#copiedId = null;
    }, COPIED_MS);
  }

  /** Ticks or unticks a row. */
  toggleSelected(id: string, on: boolean): void {
    if (on) this.#selected.add(id);
    else this.#selected.delete(id);
  }
  clearSelection(): void {
    this.#selected.clear();
  }

  /**
   * Hosts with native dialogs (Electron): the host shows its own dialog, and what the user picks
   * (granted to the path policy by the host) is queued by path.
   */
  async choose(kind: 'files' | 'folder'): Promise<void> {
    const picked = await this.#api.call('dialog:choose', { kind, multiple: true });
    if (!picked.ok) {
      this.#lastError = picked.error;
      return;
    }
    if (picked.value.paths.length === 0) return; // canceled
    const added = await this.#api.call('jobs:add-paths', { paths: picked.value.paths });
    if (!added.ok) this.#lastError = added.error;
    else if (added.value.skipped[0]) this.#lastError = { code: 'not_a_file', message: `${added.value.skipped[0].path}: ${added.value.skipped[0].reason}`, retryable: false };
    else this.#lastError = null;
  }

  /** Sends the files kept by a failed, retryable send once more. */
  resend(): Promise<void> {
    const entries = this.#unsent;
    this.#lastError = null;
    return this.addFiles(entries);
  }

  dismissError(): void {
    this.#lastError = null;
    this.#unsent = [];
  }

  async #run(pending: Promise<Result<unknown>>): Promise<void> {
    const result = await pending;
    this.#lastError = result.ok ? null : result.error;
  }

  #apply(jobs: readonly JobView[]): void {
    for (const job of jobs) {
      this.#jobs.set(job.id, job);
      this.#pushedDuringLoad?.add(job.id);
    }
  }

  #remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.#jobs.delete(id);
      this.#selected.delete(id);
      this.#removedDuringLoad?.add(id);
    }
  }
}
