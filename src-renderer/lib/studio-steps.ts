import type { StudioChain } from '../../src-shared/ipc/channels.js';

/**
 * The transform studio's controls and the pure builders that turn them into a chain for the
 * file's destination: Filestack task steps (local cloud, Filestack) or ImageKit transformation
 * steps. The host validates the chain again; these only leave out controls that are "off".
 */

export type StudioFit = 'clip' | 'crop' | 'scale' | 'max';
export type StudioFormat = 'original' | 'jpg' | 'png' | 'webp' | 'avif';

/** Every control of the studio; 0 / null / false mean "not applied". */
export type StudioControls = {
  width: number | null;
  height: number | null;
  fit: StudioFit;
  /** Crop rectangle in source pixels, applied first; off unless `cropOn`. */
  cropOn: boolean;
  cropX: number;
  cropY: number;
  cropW: number;
  cropH: number;
  /** Degrees clockwise, 0–359. */
  rotate: number;
  /** Filestack `flip` = upside down; `flop` = mirror left–right. */
  flip: boolean;
  flop: boolean;
  blur: number;
  sharpen: number;
  monochrome: boolean;
  format: StudioFormat;
  /** 1–100, null = the encoder's default. */
  quality: number | null;
  borderWidth: number;
  /** RRGGBB without `#`. */
  borderColor: string;
  radius: number;
  circle: boolean;
};

/** Controls with nothing applied. */
export function defaultControls(): StudioControls {
  return {
    width: null, height: null, fit: 'clip',
    cropOn: false, cropX: 0, cropY: 0, cropW: 100, cropH: 100,
    rotate: 0, flip: false, flop: false, blur: 0, sharpen: 0, monochrome: false,
    format: 'original', quality: null, borderWidth: 0, borderColor: '000000', radius: 0, circle: false,
  };
}

const positive = (n: number | null): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
const hex = (c: string): string => c.replace(/^#/, '').toLowerCase();

type FsStep = { name: string; params?: Record<string, string | number | boolean | (string | number)[]> };

/** Filestack task steps, in the order the local cloud and Filestack apply them. */
export function buildFilestackSteps(c: StudioControls): FsStep[] {
  const steps: FsStep[] = [];
  if (c.cropOn) steps.push({ name: 'crop', params: { dim: [c.cropX, c.cropY, c.cropW, c.cropH] } });
  if (positive(c.width) || positive(c.height)) {
    const params: Record<string, string | number> = {};
    if (positive(c.width)) params.width = c.width;
    if (positive(c.height)) params.height = c.height;
    if (c.fit !== 'clip') params.fit = c.fit;
    steps.push({ name: 'resize', params });
  }
  if (positive(c.rotate)) steps.push({ name: 'rotate', params: { deg: c.rotate } });
  if (c.flip) steps.push({ name: 'flip' });
  if (c.flop) steps.push({ name: 'flop' });
  if (positive(c.blur)) steps.push({ name: 'blur', params: { amount: c.blur } });
  if (positive(c.sharpen)) steps.push({ name: 'sharpen', params: { amount: c.sharpen } });
  if (c.monochrome) steps.push({ name: 'monochrome' });
  if (positive(c.borderWidth)) steps.push({ name: 'border', params: { width: c.borderWidth, color: hex(c.borderColor) } });
  if (c.circle) steps.push({ name: 'circle' });
  else if (positive(c.radius)) steps.push({ name: 'rounded_corners', params: { radius: c.radius } });
  if (c.format !== 'original') {
    steps.push({ name: 'output', params: positive(c.quality) ? { format: c.format, quality: c.quality } : { format: c.format } });
  } else if (positive(c.quality)) {
    steps.push({ name: 'quality', params: { value: c.quality } });
  }
  return steps;
}

const IK_CROP: Readonly<Record<StudioFit, string>> = { clip: 'at_max', max: 'at_max', crop: 'maintain_ratio', scale: 'force' };

/** ImageKit transformation steps (one concern per chained step, applied in order). */
export function buildImageKitSteps(c: StudioControls): Record<string, string | number | boolean>[] {
  const steps: Record<string, string | number | boolean>[] = [];
  if (c.cropOn) steps.push({ cropMode: 'extract', x: c.cropX, y: c.cropY, width: c.cropW, height: c.cropH });
  if (positive(c.width) || positive(c.height)) {
    const step: Record<string, string | number> = {};
    if (positive(c.width)) step.width = c.width;
    if (positive(c.height)) step.height = c.height;
    if (positive(c.width) && positive(c.height)) step.crop = IK_CROP[c.fit];
    steps.push(step);
  }
  if (positive(c.rotate)) steps.push({ rotation: c.rotate });
  if (c.flip || c.flop) steps.push({ flip: c.flip && c.flop ? 'h_v' : c.flip ? 'v' : 'h' });
  if (positive(c.blur)) steps.push({ blur: c.blur });
  if (positive(c.sharpen)) steps.push({ sharpen: c.sharpen });
  if (c.monochrome) steps.push({ grayscale: true });
  if (positive(c.borderWidth)) steps.push({ border: `${c.borderWidth}_${hex(c.borderColor).toUpperCase()}` });
  if (c.circle) steps.push({ radius: 'max' });
  else if (positive(c.radius)) steps.push({ radius: c.radius });
  const out: Record<string, string | number> = {};
  if (c.format !== 'original') out.format = c.format;
  if (positive(c.quality)) out.quality = c.quality;
  if (Object.keys(out).length > 0) steps.push(out);
  return steps;
}

/** The chain for a file on `destination`. */
export function buildChain(destination: 'local' | 'filestack' | 'imagekit', c: StudioControls): StudioChain {
  return destination === 'imagekit' ? { kind: 'imagekit', steps: buildImageKitSteps(c) } : { kind: 'filestack', steps: buildFilestackSteps(c) };
}
