/** Gravity names of the neutral op list mapped to sharp's compass names (used by the compositing tasks). */
import type { FixedGravity } from './ops.js';

/** sharp's gravity for every fixed position (the smart strategies have none). */
export const SHARP_GRAVITY: Readonly<Record<FixedGravity, string>> = {
  center: 'centre',
  top: 'north',
  bottom: 'south',
  left: 'west',
  right: 'east',
  top_left: 'northwest',
  top_right: 'northeast',
  bottom_left: 'southwest',
  bottom_right: 'southeast',
};
