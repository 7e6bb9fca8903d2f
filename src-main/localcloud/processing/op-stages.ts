/**
 * One sharp stage per geometry/effect op. sharp runs the steps of a single pipeline in its own
 * fixed order (extract → resize → rotate → composite...), so the renderer (render.ts) gives every
 * stage its own pipeline and hands the result to the next one as a scratch file; these functions
 * configure one such pipeline.
 *
 * Adding an op (the contract fs-cloud / ik-cloud style extensions follow):
 * 1. add its variant to `ImageOp` (ops.ts) with units documented there;
 * 2. return its stage(s) from {@link stagesFor}: a {@link Stage} gets a fresh pipeline whose input
 *    is the previous stage's output, plus {@link StageInput} facts about that input, and
 *    configures ONE sharp step on it (two steps of one op that must run in a given order are two
 *    stages, like `circle`). It may be async (an overlay can prepare its second image first);
 * 3. if the step can make the image larger (canvas growth, rotation by an odd angle, an overlay
 *    that extends the canvas...), call {@link assertFits} with the output size before returning,
 *    so an oversized result is refused (413) before anything is decoded. A second image a stage
 *    reads (an overlay) must be opened with `limitInputPixels: input.maxPixels` too;
 * 4. output-only ops (format, quality...) give no stage: render.ts reads them from the op list.
 * Stages never encode: the renderer picks the scratch and output formats and keeps metadata.
 */
import type { Sharp } from 'sharp';
import { FerryError, appError } from '../../../src-shared/errors.js';
import { collageStage } from './collage-stage.js';
import { SHARP_GRAVITY } from './gravity.js';
import type { Gravity, ImageOp, Size } from './ops.js';
import { overlayStages } from './overlay-stage.js';
import { smartCropStages } from './smart-crop.js';
import { upscaleStages } from './upscale-stage.js';

/** Facts about the image entering a stage; `maxPixels` is the cap for its output too. */
export type StageInput = { readonly width: number; readonly height: number; readonly hasAlpha: boolean; readonly maxPixels: number };

/** Configures one sharp pipeline (see the module comment for the contract). */
export type Stage = (img: Sharp, input: StageInput) => Sharp | Promise<Sharp>;

/**
 * Throws `payload_too_large` when a stage's output of `width` × `height` would exceed the pixel
 * cap. Stages that can grow the image call it before configuring sharp.
 */
export function assertFits(width: number, height: number, input: StageInput): void {
  const [w, h] = [Math.round(width), Math.round(height)];
  if (w * h > input.maxPixels) {
    throw new FerryError(appError('payload_too_large', `The output size ${w}x${h} exceeds the local cloud's limit of ${input.maxPixels} pixels.`));
  }
}

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };

function position(g: Gravity | undefined): string | number {
  // sharp takes the strategy names as strings too (same as sharp.strategy.*).
  if (g === 'attention' || g === 'entropy') return g;
  return SHARP_GRAVITY[g ?? 'center'];
}

const px = (s: Size | undefined, side: number): number | undefined =>
  s === undefined ? undefined : Math.max(1, Math.round(typeof s === 'number' ? s : s.fraction * side));

function resizeStage(op: Extract<ImageOp, { op: 'resize' }>): Stage {
  return (img, inp) => {
    let w = px(op.width, inp.width);
    let h = px(op.height, inp.height);
    if (op.aspectRatio !== undefined && op.aspectRatio > 0) {
      if (w !== undefined && h === undefined) h = Math.max(1, Math.round(w / op.aspectRatio));
      else if (h !== undefined && w === undefined) w = Math.max(1, Math.round(h * op.aspectRatio));
    }
    // Guard before rendering: a 20000x20000 request must fail fast, not allocate gigabytes.
    const estW = w ?? Math.round(((h ?? inp.height) * inp.width) / inp.height);
    const estH = h ?? Math.round(((w ?? inp.width) * inp.height) / inp.width);
    assertFits(estW, estH, inp);
    return img.resize(w ?? null, h ?? null, {
      fit: op.fit,
      position: position(op.position),
      withoutEnlargement: op.withoutEnlargement ?? false,
      background: op.background ?? TRANSPARENT,
      kernel: op.kernel ?? 'lanczos3',
    });
  };
}

function cropStage(op: Extract<ImageOp, { op: 'crop' }>): Stage {
  return (img, inp) => {
    const w = px(op.width, inp.width) ?? inp.width;
    const h = px(op.height, inp.height) ?? inp.height;
    let left: number;
    let top: number;
    if (op.x !== undefined || op.y !== undefined) [left, top] = [op.x ?? 0, op.y ?? 0];
    else if (op.xCenter !== undefined || op.yCenter !== undefined) {
      [left, top] = [(op.xCenter ?? inp.width / 2) - w / 2, (op.yCenter ?? inp.height / 2) - h / 2];
    } else {
      // Smart gravities have no meaning for a fixed-size cut; they fall back to the centre.
      const g = op.position ?? 'center';
      left = g.includes('left') ? 0 : g.includes('right') ? inp.width - w : (inp.width - w) / 2;
      top = g.includes('top') ? 0 : g.includes('bottom') ? inp.height - h : (inp.height - h) / 2;
    }
    left = Math.max(0, Math.round(left));
    top = Math.max(0, Math.round(top));
    if (left >= inp.width || top >= inp.height) {
      throw new FerryError(appError('bad_request', `The crop area starts outside the ${inp.width}x${inp.height} image.`));
    }
    return img.extract({ left, top, width: Math.min(w, inp.width - left), height: Math.min(h, inp.height - top) });
  };
}

/** An SVG alpha mask (white = keep) of the given size. */
function mask(width: number, height: number, shape: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shape}</svg>`);
}

function roundStage(radius: number | 'max'): Stage {
  return (img, { width, height }) => {
    const r = radius === 'max' ? Math.min(width, height) / 2 : Math.min(radius, Math.min(width, height) / 2);
    const shape = `<rect x="0" y="0" width="${width}" height="${height}" rx="${r}" ry="${r}" fill="#fff"/>`;
    return img.ensureAlpha().composite([{ input: mask(width, height, shape), blend: 'dest-in' }]);
  };
}

function sepiaMatrix(tone: number, alpha: boolean): Parameters<Sharp['recomb']>[0] {
  const t = Math.min(100, Math.max(0, tone)) / 100;
  const s = [
    [0.393, 0.769, 0.189],
    [0.349, 0.686, 0.168],
    [0.272, 0.534, 0.131],
  ];
  const row = (i: number): [number, number, number] => {
    const r = s[i] ?? [0, 0, 0];
    return [0, 1, 2].map((j) => (1 - t) * (i === j ? 1 : 0) + t * (r[j] ?? 0)) as [number, number, number];
  };
  if (!alpha) return [row(0), row(1), row(2)];
  return [[...row(0), 0], [...row(1), 0], [...row(2), 0], [0, 0, 0, 1]];
}

/** The stages that render `op`; output-only ops (quality, format...) give none. */
export function stagesFor(op: ImageOp): Stage[] {
  switch (op.op) {
    case 'resize':
      return [resizeStage(op)];
    case 'crop':
      return [cropStage(op)];
    case 'rotate':
      return [
        (img, inp) => {
          // An odd angle grows the canvas to the rotated bounding box.
          const rad = (op.degrees * Math.PI) / 180;
          const [cos, sin] = [Math.abs(Math.cos(rad)), Math.abs(Math.sin(rad))];
          assertFits(inp.width * cos + inp.height * sin, inp.width * sin + inp.height * cos, inp);
          return img.rotate(op.degrees, { background: op.background ?? '#000000' });
        },
      ];
    case 'autoOrient':
      return [(img) => img.autoOrient()];
    case 'flip':
      return [(img) => img.flip()];
    case 'flop':
      return [(img) => img.flop()];
    case 'blur':
      return [(img) => img.blur(Math.min(1000, Math.max(0.3, op.sigma)))];
    case 'sharpen':
      return [(img) => (op.sigma === undefined ? img.sharpen() : img.sharpen({ sigma: Math.min(10, Math.max(0.000001, op.sigma)) }))];
    case 'grayscale':
      return [(img) => img.grayscale()];
    case 'threshold':
      return [(img) => img.threshold(Math.round(Math.min(255, Math.max(0, op.value))), { grayscale: true })];
    case 'sepia':
      return [(img) => img.toColourspace('srgb'), (img, inp) => img.recomb(sepiaMatrix(op.tone, inp.hasAlpha))];
    case 'negative':
      return [(img) => img.negate({ alpha: false })];
    case 'normalize':
      return [(img) => img.normalise()];
    case 'modulate':
      return [
        (img) =>
          img.modulate({
            ...(op.brightness !== undefined ? { brightness: op.brightness } : {}),
            ...(op.saturation !== undefined ? { saturation: op.saturation } : {}),
            ...(op.hue !== undefined ? { hue: Math.round(op.hue) } : {}),
          }),
      ];
    case 'pixelate': {
      let size = { width: 1, height: 1 };
      return [
        (img, inp) => {
          size = { width: inp.width, height: inp.height };
          const b = Math.max(2, Math.round(op.blockSize));
          return img.resize(Math.max(1, Math.round(inp.width / b)), Math.max(1, Math.round(inp.height / b)), { fit: 'fill' });
        },
        (img) => img.resize(size.width, size.height, { fit: 'fill', kernel: 'nearest' }),
      ];
    }
    case 'circle':
      return [
        (img, { width, height }) => {
          const d = Math.min(width, height);
          return img.extract({ left: Math.floor((width - d) / 2), top: Math.floor((height - d) / 2), width: d, height: d });
        },
        (img, { width }) => {
          const r = width / 2;
          return img.ensureAlpha().composite([{ input: mask(width, width, `<circle cx="${r}" cy="${r}" r="${r}" fill="#fff"/>`), blend: 'dest-in' }]);
        },
        ...(op.background !== undefined ? [flattenStage(op.background)] : []),
      ];
    case 'roundCorners':
      return [roundStage(op.radius), ...(op.background !== undefined ? [flattenStage(op.background)] : [])];
    case 'border':
      return [
        ...(op.background !== undefined ? [flattenStage(op.background)] : []),
        (img, inp) => {
          const w = Math.max(0, Math.round(op.width));
          assertFits(inp.width + 2 * w, inp.height + 2 * w, inp);
          return img.extend({ top: w, bottom: w, left: w, right: w, background: op.color });
        },
      ];
    case 'trim':
      return [(img) => img.trim({ threshold: op.threshold ?? 10 })];
    case 'background':
      return [flattenStage(op.color)];
    case 'overlay':
      return overlayStages(op);
    case 'upscale':
      return upscaleStages(op);
    case 'smartCrop':
      return smartCropStages(op);
    case 'collage':
      return [collageStage(op)];
    case 'quality':
    case 'format':
    case 'stripMetadata':
    case 'compress':
      return [];
  }
}

function flattenStage(color: string): Stage {
  return (img) => img.flatten({ background: color });
}
