import type { LibraryItem } from '../../src-shared/ipc/channels.js';

/**
 * Puts new entries into the loaded part of the Library where the host says they sit (`index`
 * among every match, in the current order), keeping every loaded entry and its order: the view
 * keeps its scroll position and selection instead of reloading from the top. An entry placed
 * beyond what is loaded is left for the next page. An id already listed (the same job recorded
 * again) moves to its new place.
 */
export function placeEntries(items: readonly LibraryItem[], placed: readonly { index: number; item: LibraryItem }[]): LibraryItem[] {
  const ids = new Set(placed.map((p) => p.item.id));
  const out = items.filter((i) => !ids.has(i.id));
  // Ascending, so each index counts the ones placed before it, as it does in the host's order.
  for (const p of [...placed].sort((a, b) => a.index - b.index)) {
    if (p.index <= out.length) out.splice(p.index, 0, p.item);
  }
  return out;
}

/** The entries without `id` and every other name of the same stored file (a delete removes them all). */
export function withoutFile(items: readonly LibraryItem[], id: string): LibraryItem[] {
  const gone = items.find((i) => i.id === id);
  if (!gone) return [...items];
  return items.filter((i) => i.id !== id && !(i.destination === gone.destination && i.url === gone.url));
}
