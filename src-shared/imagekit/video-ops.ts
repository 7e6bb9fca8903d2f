/**
 * ImageKit video transformations (spec §4.5: `w`, `h`, `c`/`cm`, `ar`, `bg`, `f`, `vc`, `ac`, `so`,
 * `eo`, `du`, `q`, `sr`) → one neutral plan the local cloud turns into ffmpeg arguments. A video
 * is delivered once, so the chain's steps merge into one plan (a later value wins); keys the
 * emulator cannot do are listed in `unsupported`, like the image mapping does.
 */
import { CROPS, ownEntry } from './render-ops.js';
import type { TxParam, TxStep } from './transform-parser.js';

/** `cover` = c-maintain_ratio (default), `fill` = c-force, `inside` = c-at_max(_enlarge),
 * `outside` = c-at_least, `pad` = cm-pad_resize. */
export type VideoFit = 'cover' | 'fill' | 'inside' | 'outside' | 'pad';

/** A size: pixels (made even for 4:2:0 video), or a fraction of the source's (`w-0.5`). */
export type VideoDim = { readonly px: number } | { readonly fraction: number };

/** What to deliver. Times in seconds; `quality` 1–100 (ImageKit's `q`). */
export type VideoPlan = {
  readonly width?: VideoDim;
  readonly height?: VideoDim;
  readonly aspectRatio?: number;
  readonly fit: VideoFit;
  readonly withoutEnlargement: boolean;
  readonly background: string;
  readonly format: 'mp4' | 'webm';
  readonly videoCodec: 'h264' | 'vp9' | 'av1';
  readonly audioCodec: 'aac' | 'opus' | 'none';
  readonly startOffset?: number;
  readonly endOffset?: number;
  readonly duration?: number;
  readonly quality?: number;
  /** Heights of the adaptive-streaming renditions (`sr-240_360_480`), ascending. */
  readonly streamingResolutions?: readonly number[];
};

export type VideoPlanResult = { ok: true; plan: VideoPlan; unsupported: string[] } | { ok: false; message: string };

/** Largest side the emulator renders (ImageKit's own limits are per plan). */
export const MAX_VIDEO_SIDE = 4096;
/** Rendition heights ImageKit offers for `sr-` (v7 `StreamingResolution`). */
export const STREAMING_HEIGHTS: readonly number[] = [240, 360, 480, 720, 1080, 1440, 2160];

const SUPPORTED = new Set(['w', 'h', 'c', 'cm', 'ar', 'bg', 'f', 'vc', 'ac', 'so', 'eo', 'du', 'q', 'sr', 'orig', 'di']);

class Invalid extends Error {}
const fail = (key: string, value: string | null): never => {
  throw new Invalid(`Invalid value "${value ?? ''}" for video transformation parameter "${key}".`);
};

function seconds(key: string, v: string | null): number {
  const n = v !== null && /^\d+(\.\d{1,3})?$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fail(key, v);
}

function dim(key: string, v: string | null): VideoDim {
  const n = v !== null && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (n > 0 && n < 1) return { fraction: n };
  if (!(n >= 1 && n <= MAX_VIDEO_SIDE)) fail(key, v);
  return { px: Math.max(2, Math.round(n) - (Math.round(n) % 2)) };
}

function pick<T extends string>(key: string, v: string | null, allowed: readonly T[]): T {
  return allowed.includes(v as T) ? (v as T) : fail(key, v);
}

/** Merges the steps' parameters (later wins); layers are reported unsupported. */
function merge(steps: readonly TxStep[], unsupported: string[]): Map<string, string | null> {
  const params = new Map<string, string | null>();
  for (const step of steps) {
    for (const item of step) {
      const key = item.kind === 'layer' ? 'l' : item.key;
      if (item.kind === 'layer' || !SUPPORTED.has(key)) {
        if (!unsupported.includes(key)) unsupported.push(key);
      } else params.set(key, (item as TxParam).value);
    }
  }
  return params;
}

function build(p: Map<string, string | null>): VideoPlan {
  const v = (k: string): string | null => p.get(k) ?? null;
  let [fit, withoutEnlargement]: [VideoFit, boolean] = ['cover', false];
  if (p.has('c')) [fit, withoutEnlargement] = ownEntry(CROPS, v('c')) ?? fail('c', v('c'));
  if (p.has('cm')) [fit, withoutEnlargement] = v('cm') === 'pad_resize' ? ['pad', false] : fail('cm', v('cm'));
  const format = p.has('f') && v('f') !== 'auto' ? pick('f', v('f'), ['mp4', 'webm'] as const) : 'mp4';
  const videoCodec = p.has('vc') ? pick('vc', v('vc'), ['h264', 'vp9', 'av1'] as const) : format === 'webm' ? 'vp9' : 'h264';
  const audioCodec = p.has('ac') ? pick('ac', v('ac'), ['aac', 'opus', 'none'] as const) : format === 'webm' ? 'opus' : 'aac';
  if (format === 'webm' && (videoCodec === 'h264' || audioCodec === 'aac')) {
    throw new Invalid(`A webm video cannot carry ${videoCodec === 'h264' ? 'h264 video' : 'aac audio'}: use vc-vp9/vc-av1 and ac-opus, or f-mp4.`);
  }
  let aspectRatio: number | undefined;
  if (p.has('ar')) {
    const m = /^(\d+(?:\.\d+)?)[-:](\d+(?:\.\d+)?)$/.exec(v('ar') ?? '');
    aspectRatio = m && Number(m[1]) > 0 && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : fail('ar', v('ar'));
  }
  const background = p.has('bg') ? (/^[0-9a-f]{6}$/i.test(v('bg') ?? '') ? `0x${v('bg') ?? ''}` : /^[a-z]{3,20}$/i.test(v('bg') ?? '') ? (v('bg') ?? '') : fail('bg', v('bg'))) : 'black';
  const sr = p.has('sr') ? (v('sr') ?? '').split('_').map((h) => (STREAMING_HEIGHTS.includes(Number(h)) ? Number(h) : fail('sr', v('sr')))) : undefined;
  const quality = p.has('q') ? Number(v('q')) : undefined;
  if (quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) fail('q', v('q'));
  const plan: VideoPlan = {
    fit,
    withoutEnlargement,
    background,
    format,
    videoCodec,
    audioCodec,
    ...(p.has('w') ? { width: dim('w', v('w')) } : {}),
    ...(p.has('h') ? { height: dim('h', v('h')) } : {}),
    ...(aspectRatio !== undefined ? { aspectRatio } : {}),
    ...(p.has('so') ? { startOffset: seconds('so', v('so')) } : {}),
    ...(p.has('eo') ? { endOffset: seconds('eo', v('eo')) } : {}),
    ...(p.has('du') ? { duration: seconds('du', v('du')) } : {}),
    ...(quality !== undefined ? { quality } : {}),
    ...(sr ? { streamingResolutions: [...new Set(sr)].sort((a, b) => a - b) } : {}),
  };
  if (plan.endOffset !== undefined && plan.endOffset <= (plan.startOffset ?? 0)) throw new Invalid('The end offset (eo) must be after the start offset (so).');
  if (plan.duration === 0) fail('du', v('du'));
  return plan;
}

/** Maps parsed steps to a video plan; bad values give `ok: false` with a 400-ready message. */
export function toVideoPlan(steps: readonly TxStep[]): VideoPlanResult {
  const unsupported: string[] = [];
  try {
    return { ok: true, plan: build(merge(steps, unsupported)), unsupported };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, message: err.message };
    throw err;
  }
}

/** A stable text of a plan (cache keys): same plan, same text. */
export function videoPlanKey(plan: VideoPlan): string {
  return JSON.stringify(Object.entries(plan).sort(([a], [b]) => a.localeCompare(b)));
}
