import { tick } from 'svelte';

/** What the view tells the anchor about its layout now. */
export type AnchorLayout = {
  /** The element holding the entries (rows or cards carry `data-id`). */
  readonly root: () => HTMLElement | undefined;
  /** Entry ids in the order shown (loaded so far). */
  readonly ids: () => readonly string[];
  /** Entries per line (1 in the list) and a line's height in px including its gap. */
  readonly perLine: () => { readonly count: number; readonly height: number };
};

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Keeps the first entry in view at the same place on screen while `apply` puts new entries
 * above it, so a user deep in a long Library is not pushed along by uploads finishing. At the
 * very top nothing is held: there the new entries are what the user should see. The lists are
 * windowed on the page's scroll, so the anchor may leave the rendered rows: scroll by the lines
 * it moved first, then correct to the pixel once it is rendered again.
 */
export function keepInView(layout: AnchorLayout): (apply: () => void) => Promise<void> {
  return async (apply) => {
    const root = layout.root();
    const anchor = window.scrollY > 0 && root ? [...root.querySelectorAll<HTMLElement>('[data-id]')].find((el) => el.getBoundingClientRect().bottom > 0) : undefined;
    const id = anchor?.dataset.id;
    const top = anchor?.getBoundingClientRect().top ?? 0;
    const before = id === undefined ? -1 : layout.ids().indexOf(id);
    apply();
    if (id === undefined || before < 0 || !root) return;
    await tick();
    const after = layout.ids().indexOf(id);
    const { count, height } = layout.perLine();
    const lines = Math.floor(after / count) - Math.floor(before / count);
    if (after < 0 || lines === 0) return;
    window.scrollBy(0, lines * height);
    await nextFrame();
    await tick();
    const again = root.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
    if (again) window.scrollBy(0, again.getBoundingClientRect().top - top);
  };
}
