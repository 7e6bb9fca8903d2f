/**
 * Row heights of a windowed list, kept so that scrolling costs nothing in proportion to the whole
 * list. Rows mostly share one height (their CSS fixes it), so a row not yet measured is taken to
 * be as tall as the most common measured height, and a measurement that agrees with that changes
 * nothing: the offsets of all rows are computed again only when a row turns out taller or shorter
 * than assumed (an open panel, an error line) or the common height itself changes.
 */
export class RowHeights {
  /** px by row key, every row measured so far. */
  readonly #measured = new Map<string, number>();
  /** How many measured rows have each height (px → rows); its most common entry is `typical`. */
  readonly #histogram = new Map<number, number>();
  #typical: number;

  constructor(estimate: number) {
    this.#typical = estimate;
  }

  /** The height assumed for rows not measured yet, px. */
  get typical(): number {
    return this.#typical;
  }

  has(key: string): boolean {
    return this.#measured.has(key);
  }

  heightOf(key: string): number {
    return this.#measured.get(key) ?? this.#typical;
  }

  /** Records a row's height; true when offsets computed before this are now wrong. */
  record(key: string, height: number): boolean {
    const assumed = this.heightOf(key);
    const before = this.#measured.get(key);
    if (before === height) return false;
    if (before !== undefined) this.#count(before, -1);
    this.#measured.set(key, height);
    this.#count(height, 1);
    const typical = this.#mostCommon();
    const typicalMoved = typical !== this.#typical;
    this.#typical = typical;
    return typicalMoved || assumed !== height;
  }

  /** Top of each of `count` rows from the list's start, plus the total height last (`count + 1` entries). */
  offsets(count: number, keyAt: (index: number) => string): Float64Array {
    const out = new Float64Array(count + 1);
    let at = 0;
    for (let i = 0; i < count; i++) {
      at += this.#measured.get(keyAt(i)) ?? this.#typical;
      out[i + 1] = at;
    }
    return out;
  }

  #count(height: number, by: number): void {
    const n = (this.#histogram.get(height) ?? 0) + by;
    if (n > 0) this.#histogram.set(height, n);
    else this.#histogram.delete(height);
  }

  /** The height most rows have; the current one wins a tie, so it does not flip back and forth. */
  #mostCommon(): number {
    let best = this.#typical;
    let bestRows = this.#histogram.get(best) ?? 0;
    for (const [height, rows] of this.#histogram) {
      if (rows > bestRows) {
        best = height;
        bestRows = rows;
      }
    }
    return best;
  }
}
