/**
 * Where a part's bytes go in the upload's data file. S3 lets a client pick any part sizes, but
 * every SDK (and Ferry) sends equal parts with a shorter last one. The server learns that size
 * from part 1 (the first part that is not the whole file) and writes every part that fits the
 * plan straight at its final offset, so complete has nothing to copy. A part that does not fit
 * (another plan, or it arrived before part 1 was announced) goes to a side file, and complete
 * then builds the file by copying (assemble.ts); correct, only slower. Pure: no I/O.
 */

/** Byte offset of part `part` (1-based) of `size` bytes in a `total`-byte file cut in `partSize` parts, or null when it does not fit. */
export function partOffset(total: number, partSize: number | null, part: number, size: number): number | null {
  if (partSize === null || partSize <= 0 || part < 1) return null;
  const count = Math.max(1, Math.ceil(total / partSize));
  if (part > count) return null;
  const expected = part < count ? partSize : total - (count - 1) * partSize;
  return size === expected ? (part - 1) * partSize : null;
}

/**
 * The plan's part size as announced by a part (its /multipart/upload call): part 1 fixes it,
 * any other part says nothing. Null when `part` is not 1 or its size cannot start a plan.
 */
export function partSizeFrom(total: number, part: number, size: number): number | null {
  if (part !== 1 || size <= 0 || size > total) return null;
  return size;
}

/** True offsets of a parts list in number order (each part starts where the previous ended). */
export function trueOffsets(sizes: readonly number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(at);
    at += s;
  }
  return out;
}
