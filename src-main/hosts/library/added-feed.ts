import type { Journal, UploadHistory, UploadHistoryEntry } from '../../engine/journal/types.js';

/** How long new Library ids are gathered before one `library:added` goes out (a folder of small files finishes in a burst). */
export const ADDED_COALESCE_MS = 150;

/** A journal that announces what enters its history, and the stop for its pending announcement. */
export type ObservedJournal = { readonly journal: Journal; close(): void };

/**
 * Wraps the journal so every entry that enters the Library — a verified upload from any intake
 * (the engine's `commitDone`: drop, CLI hand-off, watch folder, clipboard) or a file Ferry made
 * (`history.append`: Studio, Media) — is announced, after it is stored, in one coalesced call.
 * Watching the store rather than each intake means a new way in cannot forget to tell the window.
 */
export function observeLibraryAdds(journal: Journal, announce: (ids: string[]) => void, delayMs = ADDED_COALESCE_MS): ObservedJournal {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const note = (entry: UploadHistoryEntry): void => {
    pending.add(entry.jobId);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      announce(ids);
    }, delayMs);
    timer.unref?.();
  };
  const history: UploadHistory = new Proxy(journal.history, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return (entry: UploadHistoryEntry) => {
          target.append(entry);
          note(entry);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  // The SQLite journal is a class with private fields: its methods must run on the real object.
  const observed: Journal = new Proxy(journal, {
    get(target, prop) {
      if (prop === 'history') return history;
      if (prop === 'commitDone') {
        return (...args: Parameters<Journal['commitDone']>) => {
          target.commitDone(...args);
          note(args[1]);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    journal: observed,
    close: () => {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}
