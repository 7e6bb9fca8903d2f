/**
 * Filestack processing tasks (spec §7.4/§7.5) → the neutral ImageOp list the sharp renderer runs.
 * Every step is first checked with the shared catalog (validateStep) so range errors carry the
 * catalog's message; tasks sharp cannot honestly render are refused by name.
 *
 * Choices where Filestack's defaults are not in the spec (documented UNCONFIRMED there):
 * - circle / rounded_corners leave the outside transparent unless `background` is given
 *   (output becomes PNG for JPEG inputs), so the shape survives further tasks.
 * - `compress` drops metadata unless `compress=metadata:true` (the docs' default).
 * - `enhance` (any preset) and `auto_image` stretch the luminance (sharp `normalise`).
 */
import { canonicalParams, validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep, TaskValue } from '../../../src-shared/filestack/types.js';
import type { Gravity, ImageOp, OutputFormat } from '../processing/ops.js';

/** Result of mapping a chain; `status` is the HTTP status to answer a failure with. */
export type TaskMapping = { ok: true; ops: ImageOp[] } | { ok: false; status: 400; message: string };

/** Tasks that never change the pixels and are handled elsewhere (or are no-ops here). */
export const PASSTHROUGH_TASKS: ReadonlySet<string> = new Set(['cache', 'security', 'store']);

class Refusal extends Error {}
const refuse = (message: string): never => {
  throw new Refusal(message);
};

export const numOf = (v: TaskValue | undefined, fallback: number): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : fallback);
export const boolOf = (v: TaskValue | undefined): boolean | undefined => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined);

/** Filestack colours are RRGGBB, AARRGGBB (alpha first) or a name; sharp wants #RRGGBBAA. */
export function filestackColor(v: TaskValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (/^[0-9a-f]{6}$/i.test(s)) return `#${s.toLowerCase()}`;
  if (/^[0-9a-f]{8}$/i.test(s)) return `#${s.slice(2).toLowerCase()}${s.slice(0, 2).toLowerCase()}`;
  return s === 'transparent' ? '#00000000' : s.toLowerCase();
}

/** `align=top`, `align=[top,left]`, `align=faces` → a gravity. */
export function gravityOf(v: TaskValue | undefined): Gravity {
  if (v === undefined) return 'center';
  const parts = (Array.isArray(v) ? v : [v]).map(String);
  if (parts.includes('faces')) return 'attention';
  const vertical = parts.find((p) => p === 'top' || p === 'bottom');
  const horizontal = parts.find((p) => p === 'left' || p === 'right');
  if (vertical && horizontal) return `${vertical}_${horizontal}` as Gravity;
  return (vertical ?? horizontal ?? 'center') as Gravity;
}

const FORMATS: Readonly<Record<string, OutputFormat>> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  pjpg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  avif: 'avif',
  heif: 'heif',
  heic: 'heif',
  tiff: 'tiff',
  tif: 'tiff',
};

function resizeOps(p: Readonly<Record<string, TaskValue>>): ImageOp[] {
  const width = p.width !== undefined ? numOf(p.width, 0) : undefined;
  const height = p.height !== undefined ? numOf(p.height, 0) : undefined;
  if (width === undefined && height === undefined) refuse('Task "resize" needs a width or a height.');
  const fit = String(p.fit ?? 'clip');
  const size = { ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) };
  switch (fit) {
    case 'crop':
      // With one side only there is nothing to crop against: it scales like clip.
      if (width === undefined || height === undefined) return [{ op: 'resize', ...size, fit: 'inside' }];
      return [{ op: 'resize', ...size, fit: 'cover', position: gravityOf(p.align) }];
    case 'scale':
      return [{ op: 'resize', ...size, fit: width !== undefined && height !== undefined ? 'fill' : 'inside' }];
    case 'max':
      return [{ op: 'resize', ...size, fit: 'inside', withoutEnlargement: true }];
    default:
      return [{ op: 'resize', ...size, fit: 'inside' }];
  }
}

function outputOps(p: Readonly<Record<string, TaskValue>>): ImageOp[] {
  const ops: ImageOp[] = [];
  const bg = filestackColor(p.background);
  if (bg !== undefined) ops.push({ op: 'background', color: bg });
  if (p.colorspace === 'cmyk') refuse('Task "output": colorspace cmyk is not supported by the local cloud.');
  if (p.format !== undefined) {
    const f = FORMATS[String(p.format).toLowerCase()] ?? refuse(`Task "output": format "${String(p.format)}" is not supported by the local cloud.`);
    ops.push({ op: 'format', format: f });
  }
  if (typeof p.quality === 'number') ops.push({ op: 'quality', value: p.quality });
  if (boolOf(p.compress) === true) ops.push({ op: 'compress' });
  if (boolOf(p.strip) === true) ops.push({ op: 'stripMetadata' });
  return ops;
}

/** Ops of one validated step (params canonicalised: aliases resolved). */
function stepOps(name: string, p: Readonly<Record<string, TaskValue>>): ImageOp[] {
  switch (name) {
    case 'resize':
      return resizeOps(p);
    case 'crop': {
      const d = Array.isArray(p.dim) ? p.dim.map((x) => numOf(x, 0)) : refuse('Task "crop" needs dim:[x,y,width,height].');
      const [x = 0, y = 0, width = 1, height = 1] = d;
      return [{ op: 'crop', x, y, width, height }];
    }
    case 'rotate': {
      if (p.deg === 'exif') return [{ op: 'autoOrient' }];
      const deg = numOf(p.deg, 0);
      const background = filestackColor(p.background) ?? '#ffffff';
      return deg % 360 === 0 ? [] : [{ op: 'rotate', degrees: deg, background }];
    }
    case 'flip':
      return [{ op: 'flip' }];
    case 'flop':
      return [{ op: 'flop' }];
    case 'blur':
      return [{ op: 'blur', sigma: numOf(p.amount, 2) }];
    case 'sharpen': {
      const amount = numOf(p.amount, 2);
      return amount === 0 ? [] : [{ op: 'sharpen', sigma: amount / 2 }];
    }
    case 'monochrome':
      return [{ op: 'grayscale' }];
    case 'blackwhite':
      return [{ op: 'threshold', value: Math.round(numOf(p.threshold, 50) * 2.55) }];
    case 'sepia':
      return [{ op: 'sepia', tone: numOf(p.tone, 80) }];
    case 'negative':
      return [{ op: 'negative' }];
    case 'pixelate':
      return [{ op: 'pixelate', blockSize: numOf(p.amount, 2) }];
    case 'modulate':
      return [
        {
          op: 'modulate',
          brightness: numOf(p.brightness, 100) / 100,
          saturation: numOf(p.saturation, 100) / 100,
          hue: numOf(p.hue, 0),
        },
      ];
    case 'circle': {
      const background = filestackColor(p.background);
      return [{ op: 'circle', ...(background !== undefined ? { background } : {}) }];
    }
    case 'rounded_corners':
    case 'round_corners': {
      const background = filestackColor(p.background);
      return [{ op: 'roundCorners', radius: p.radius === 'max' ? 'max' : numOf(p.radius, 10), ...(background !== undefined ? { background } : {}) }];
    }
    case 'border': {
      const background = filestackColor(p.background);
      return [{ op: 'border', width: numOf(p.width, 2), color: filestackColor(p.color) ?? '#000000', ...(background !== undefined ? { background } : {}) }];
    }
    case 'quality':
      return [{ op: 'quality', value: numOf(p.value, 80) }];
    case 'output':
      return outputOps(p);
    case 'no_metadata':
      return [{ op: 'stripMetadata' }];
    case 'compress':
      return boolOf(p.metadata) === true ? [{ op: 'compress' }] : [{ op: 'compress' }, { op: 'stripMetadata' }];
    case 'pjpg':
      return [{ op: 'format', format: 'jpeg' }, ...(typeof p.quality === 'number' ? [{ op: 'quality', value: p.quality } as const] : []), ...(boolOf(p.metadata) === true ? [] : [{ op: 'stripMetadata' } as const])];
    case 'enhance':
    case 'auto_image':
      return [{ op: 'normalize' }];
    default:
      return refuse(`Task "${name}" is not supported by the local cloud.`);
  }
}

/** Validates and maps a chain (security/cache/store already excluded or skipped here). */
export function tasksToOps(steps: readonly TaskStep[]): TaskMapping {
  const ops: ImageOp[] = [];
  try {
    for (const step of steps) {
      if (PASSTHROUGH_TASKS.has(step.name)) continue;
      const checked = validateStep(step);
      if (!checked.ok) return { ok: false, status: 400, message: checked.message };
      ops.push(...stepOps(step.name, canonicalParams(step)));
    }
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, status: 400, message: err.message };
    throw err;
  }
  return { ok: true, ops };
}
