/**
 * ImageKit transformation string → the processing core's ImageOp list. Parsing and the
 * ImageKit-specific semantics live in src-shared (parseTransformation + toRenderOps); this file
 * only maps the neutral RenderOps onto the renderer's op names and units.
 */
import type { Dim, RenderOp } from '../../../src-shared/imagekit/render-ops.js';
import { parseTransformation, toRenderOps } from '../../../src-shared/imagekit/transform-parser.js';
import type { ImageOp, OutputFormat, Size } from '../processing/ops.js';
import { IkError } from './http.js';

/** Named transformations the emulator knows (the media-library thumbnail and its old name). */
export const NAMED_TRANSFORMATIONS: Readonly<Record<string, string>> = {
  ik_ml_thumbnail: 'w-200,h-200,c-at_max',
  media_library_thumbnail: 'w-200,h-200,c-at_max',
};

/** A transformation ready to render; `original` = serve the stored bytes untouched. */
export type PlannedRender = { readonly original: boolean; readonly ops: ImageOp[] };

const size = (d: Dim): Size => ('px' in d ? d.px : { fraction: d.fraction });
const OUTPUT_FORMATS = new Set<string>(['jpeg', 'jpg', 'png', 'webp', 'avif', 'gif', 'tiff', 'heif']);

/** Maps one RenderOp; `null` when it changes nothing the renderer needs to know. */
function toImageOp(op: RenderOp): ImageOp | null {
  switch (op.op) {
    case 'original':
      return null;
    case 'trim':
      return { op: 'trim', threshold: op.threshold };
    case 'resize': {
      if (op.fit === 'extract') {
        // A missing side of an extract region comes from `ar` when it can, else the whole side.
        const ar = op.aspectRatio;
        const width = op.width ? size(op.width) : ar && op.height && 'px' in op.height ? Math.round(op.height.px * ar) : { fraction: 1 };
        const height = op.height ? size(op.height) : ar && op.width && 'px' in op.width ? Math.round(op.width.px / ar) : { fraction: 1 };
        return {
          op: 'crop',
          width,
          height,
          position: op.position,
          ...(op.x !== undefined ? { x: op.x } : {}),
          ...(op.y !== undefined ? { y: op.y } : {}),
          ...(op.xCenter !== undefined ? { xCenter: op.xCenter } : {}),
          ...(op.yCenter !== undefined ? { yCenter: op.yCenter } : {}),
        };
      }
      return {
        op: 'resize',
        fit: op.fit,
        position: op.position,
        withoutEnlargement: op.withoutEnlargement,
        ...(op.width ? { width: size(op.width) } : {}),
        ...(op.height ? { height: size(op.height) } : {}),
        ...(op.aspectRatio !== undefined ? { aspectRatio: op.aspectRatio } : {}),
        ...(op.background !== undefined ? { background: op.background } : {}),
      };
    }
    case 'rotate':
      return op.degrees === 'auto' ? { op: 'autoOrient' } : { op: 'rotate', degrees: op.degrees };
    case 'flip':
    case 'flop':
    case 'grayscale':
      return { op: op.op };
    case 'blur':
      // ImageKit's bl-N is a radius-like 1-100; sharp wants a Gaussian sigma (ops.ts: N/2).
      return { op: 'blur', sigma: Math.max(0.3, op.sigma / 2) };
    case 'sharpen':
      // e-sharpen-N (0-100) scaled onto sharp's sigma range; bare e-sharpen = sharp's mild default.
      return op.amount === undefined ? { op: 'sharpen' } : { op: 'sharpen', sigma: Math.min(10, Math.max(0.5, op.amount / 10)) };
    case 'contrast':
      return { op: 'normalize' };
    case 'round':
      return { op: 'roundCorners', radius: op.radius };
    case 'border':
      return { op: 'border', width: op.width, color: op.color };
    case 'background':
      return { op: 'background', color: op.color };
    case 'format':
      // f-auto / f-orig keep the stored format (no Accept negotiation in the emulator).
      return OUTPUT_FORMATS.has(op.format) ? { op: 'format', format: op.format as OutputFormat } : null;
    case 'quality':
      return { op: 'quality', value: op.quality };
  }
}

/**
 * Parses and plans `<TX>`. Bad syntax or values → 400 with the parser's message; keys the
 * renderer cannot do (layers, AI effects, video params...) → 400 naming them.
 */
export function planTransformation(tx: string): PlannedRender {
  const parsed = parseTransformation(tx);
  if (!parsed.ok) throw new IkError(400, `Invalid transformation: ${parsed.message}`);
  const result = toRenderOps(parsed.steps, { named: NAMED_TRANSFORMATIONS });
  if (!result.ok) throw new IkError(400, `Invalid transformation: ${result.message}`);
  if (result.unsupported.length > 0) {
    throw new IkError(400, `Unsupported transformation parameter(s) on the local cloud: ${result.unsupported.join(', ')}.`, { unsupported: result.unsupported });
  }
  if (result.ops.some((o) => o.op === 'original')) return { original: true, ops: [] };
  return { original: false, ops: result.ops.map(toImageOp).filter((o): o is ImageOp => o !== null) };
}
