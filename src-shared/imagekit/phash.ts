/**
 * Perceptual-hash distance (spec §8): Hamming distance between two hex pHash strings, with the
 * v6 SDK's validation order and messages, returned as data instead of an Error object.
 */

/** Outcome of {@link pHashDistance}; `distance` is 0 (identical) to 4 × length. */
export type PHashDistanceResult = { ok: true; distance: number } | { ok: false; message: string };

export const PHASH_MISSING = 'Missing pHash value: Please pass two pHash values';
export const PHASH_INVALID = 'Invalid pHash value: Both pHash strings must be valid hexadecimal numbers';
// "calucation" is the SDK's own spelling; kept so messages match what users search for.
export const PHASH_UNEQUAL =
  'Unequal pHash string length: For distance calucation, the two pHash strings must have equal length';

const HEX = /^[0-9a-fA-F]+$/;

/** Number of set bits in a 4-bit nibble. */
const popcount4 = (n: number): number => (n & 1) + ((n >> 1) & 1) + ((n >> 2) & 1) + ((n >> 3) & 1);

/**
 * Hamming distance over the bits of two hex strings, case-insensitive. Checks, in v6 order:
 * either value falsy → missing; either not hex after `String()` (so `0x…` fails) → invalid;
 * lengths differ → unequal. Numbers count by their decimal rendering, like v6.
 */
export function pHashDistance(a: unknown, b: unknown): PHashDistanceResult {
  if (!a || !b) return { ok: false, message: PHASH_MISSING };
  const sa = String(a);
  const sb = String(b);
  if (!HEX.test(sa) || !HEX.test(sb)) return { ok: false, message: PHASH_INVALID };
  if (sa.length !== sb.length) return { ok: false, message: PHASH_UNEQUAL };
  let distance = 0;
  for (let i = 0; i < sa.length; i++) {
    distance += popcount4(parseInt(sa.charAt(i), 16) ^ parseInt(sb.charAt(i), 16));
  }
  return { ok: true, distance };
}
