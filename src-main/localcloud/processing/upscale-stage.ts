/**
 * The `upscale` op (Filestack `upscale`): `factor` times the width and height by lanczos
 * resampling (the service's super-resolution model is not available offline), after an optional
 * median filter for noise (`median` = window size, 0 = none).
 */
import { assertFits, type Stage } from './op-stages.js';
import type { ImageOp } from './ops.js';

/** The stages of one upscale op: denoise (when asked), then enlarge. */
export function upscaleStages(op: Extract<ImageOp, { op: 'upscale' }>): Stage[] {
  const enlarge: Stage = (img, inp) => {
    const [w, h] = [Math.round(inp.width * op.factor), Math.round(inp.height * op.factor)];
    assertFits(w, h, inp);
    return op.factor === 1 ? img : img.resize(w, h, { fit: 'fill', kernel: 'lanczos3' });
  };
  return op.median > 0 ? [(img) => img.median(op.median), enlarge] : [enlarge];
}
