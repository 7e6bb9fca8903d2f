/**
 * Which rows of a windowed list to render. `offsets[i]` is the top of row i in px from the
 * list's start (offsets has one more entry than there are rows: the total height); `top` is
 * the viewport's top relative to the list (negative when the list starts below the fold).
 */
export function visibleRange(offsets: ArrayLike<number>, top: number, height: number, overscan: number): { start: number; end: number } {
  const count = offsets.length - 1;
  if (count <= 0) return { start: 0, end: 0 };
  const first = Math.max(0, lastAtOrBefore(offsets, Math.max(0, top), count));
  const last = Math.min(count - 1, lastAtOrBefore(offsets, Math.max(0, top + height), count));
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + 1 + overscan) };
}

/**
 * Widens `range` to exactly `pool` rows (fewer only when the list is shorter), so that the row
 * leaving at one end and the row coming in at the other share a slot: `index % pool`. A pool
 * smaller than the range is an error of the caller (it grows the pool first).
 */
export function poolWindow(range: { start: number; end: number }, pool: number, count: number): { start: number; end: number } {
  const end = Math.min(count, Math.max(range.end, range.start + pool));
  return { start: Math.max(0, Math.min(range.start, end - pool)), end };
}

/**
 * Slots enough for any window of rows at least `rowHeight` tall: the rows a viewport can cut
 * (one more than fit, when one is cut at each edge) plus the overscan on both sides.
 */
export function poolSize(viewport: number, rowHeight: number, overscan: number): number {
  return Math.ceil(viewport / Math.max(1, rowHeight)) + 1 + 2 * overscan;
}

/** Index of the last row whose top is ≤ y (binary search; rows are sorted by offset). */
function lastAtOrBefore(offsets: ArrayLike<number>, y: number, count: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
