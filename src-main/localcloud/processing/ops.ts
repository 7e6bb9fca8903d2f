/**
 * The neutral image-operation list the local cloud renders with sharp. Both front ends map onto
 * it: Filestack tasks (filestack/process-tasks.ts) and ImageKit transformations
 * (src-shared/imagekit/render-ops.ts RenderOp → ImageOp). Ops run strictly in list order — the
 * renderer materialises the image between geometry steps, so "crop then resize" and
 * "resize then crop" give different results, as both protocols require.
 *
 * Mapping cheat sheet (front end → ImageOp):
 * - Filestack resize fit: clip → `inside`, max → `inside` + withoutEnlargement, scale → `fill`,
 *   crop → `cover` (+ position from `align`). ImageKit: c-maintain_ratio → `cover`,
 *   c-force → `fill`, c-at_max → `inside` + withoutEnlargement, c-at_max_enlarge → `inside`,
 *   c-at_least → `outside`, cm-pad_resize → `contain` + background, cm-extract → `crop`.
 * - ImageKit `rt-auto` → `autoOrient`; `fl-h` → `flop`, `fl-v` → `flip`; `bl-N` → blur sigma N/2;
 *   `e-sharpen` → sharpen; `e-contrast` → normalize; `r-N|max` → roundCorners; `b-W_C` → border;
 *   `bg-C` → background; `t-N` → trim; `f-*` → format; `q-N` → quality; `orig` → render nothing.
 * Colours are CSS-ish strings sharp accepts: `#rrggbb`, `#rrggbbaa`, or a named colour.
 */

/** A length in pixels, or a fraction (0 < f < 1) of the current image side (ImageKit `w-0.5`). */
export type Size = number | { readonly fraction: number };

/** How a resize fills the box; these are sharp's own `fit` names. */
export type Fit = 'cover' | 'contain' | 'fill' | 'inside' | 'outside';

/** Where `cover` keeps its crop / `contain` puts the image; `attention`/`entropy` are sharp's smart crops. */
export type Gravity =
  | 'center'
  | 'top'
  | 'bottom'
  | 'left'
  | 'right'
  | 'top_left'
  | 'top_right'
  | 'bottom_left'
  | 'bottom_right'
  | 'attention'
  | 'entropy';

/** Output formats the renderer can write (`jpg` is accepted as an alias of `jpeg`). */
export type OutputFormat = 'jpeg' | 'jpg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff' | 'heif';

/** One image operation. Parameters are already validated and in the units documented here. */
export type ImageOp =
  | {
      readonly op: 'resize';
      readonly width?: Size;
      readonly height?: Size;
      /** width / height; with only one side given the other is derived from it. */
      readonly aspectRatio?: number;
      readonly fit: Fit;
      readonly position?: Gravity;
      /** Never upscale (Filestack fit=max, ImageKit c-at_max). */
      readonly withoutEnlargement?: boolean;
      /** Padding colour for `contain`; transparent when absent. */
      readonly background?: string;
      /** `nearest` keeps hard pixel edges (pixelate); default is lanczos3. */
      readonly kernel?: 'nearest' | 'lanczos3';
    }
  | {
      /** Cuts a region; clamped to the image. Give x/y (top-left), xCenter/yCenter, or a gravity. */
      readonly op: 'crop';
      readonly width: Size;
      readonly height: Size;
      readonly x?: number;
      readonly y?: number;
      readonly xCenter?: number;
      readonly yCenter?: number;
      readonly position?: Gravity;
    }
  /** Clockwise degrees (any angle; negatives turn anticlockwise); corners filled with background. */
  | { readonly op: 'rotate'; readonly degrees: number; readonly background?: string }
  /** Rotates by the EXIF Orientation tag and clears it. */
  | { readonly op: 'autoOrient' }
  /** Vertical mirror (top ↔ bottom). */
  | { readonly op: 'flip' }
  /** Horizontal mirror (left ↔ right). */
  | { readonly op: 'flop' }
  /** Gaussian blur, sigma 0.3–1000. */
  | { readonly op: 'blur'; readonly sigma: number }
  /** Unsharp mask; sigma 0.000001–10, omitted = sharp's fast mild sharpen. */
  | { readonly op: 'sharpen'; readonly sigma?: number }
  | { readonly op: 'grayscale' }
  /** Pixels ≥ value (0–255) become white, others black (Filestack blackwhite). */
  | { readonly op: 'threshold'; readonly value: number }
  /** Sepia tint, tone 0–100 = how strongly (Filestack sepia tone, default 80). */
  | { readonly op: 'sepia'; readonly tone: number }
  /** Inverts colours (alpha untouched). */
  | { readonly op: 'negative' }
  /** Stretches luminance to the full range (Filestack enhance, ImageKit e-contrast). */
  | { readonly op: 'normalize' }
  /** Multipliers (1 = unchanged) for brightness and saturation; hue rotation in degrees. */
  | { readonly op: 'modulate'; readonly brightness?: number; readonly saturation?: number; readonly hue?: number }
  /** Blocks of `blockSize` px (≥ 2), by scaling down then up with nearest neighbour. */
  | { readonly op: 'pixelate'; readonly blockSize: number }
  /** Centre square cut to a circle; outside is transparent, or `background` when given. */
  | { readonly op: 'circle'; readonly background?: string }
  /** Rounded corners; `max` = a pill/circle. Outside transparent, or `background`. */
  | { readonly op: 'roundCorners'; readonly radius: number | 'max'; readonly background?: string }
  /** Adds `width` px of `color` on each side (grows each dimension by 2 × width). Transparent
   * areas are first flattened onto `background` when given. */
  | { readonly op: 'border'; readonly width: number; readonly color: string; readonly background?: string }
  /** Removes edges similar to the top-left pixel; threshold 1–99 (default 10). */
  | { readonly op: 'trim'; readonly threshold?: number }
  /** Flattens transparency onto a colour. */
  | { readonly op: 'background'; readonly color: string }
  /** Output quality 1–100 (lossy formats). */
  | { readonly op: 'quality'; readonly value: number }
  /** Output format; without one the input format is kept (png when it cannot hold the result). */
  | { readonly op: 'format'; readonly format: OutputFormat }
  /** Drops EXIF/ICC/XMP; without it metadata of the input is kept. */
  | { readonly op: 'stripMetadata' }
  /** Smaller output at the same quality: mozjpeg, max png compression, webp effort. */
  | { readonly op: 'compress' }
  /**
   * Another image file laid over this one (Filestack watermark, overlay-stage.ts): at
   * `sizePercent` of its own size, shrunk to fit; `fileKey` changes when the file does (cache key).
   */
  | { readonly op: 'overlay'; readonly file: string; readonly fileKey: string; readonly sizePercent: number; readonly position: FixedGravity }
  /** `factor` × width and height, lanczos (upscale-stage.ts); `median` > 0 denoises first with that window. */
  | { readonly op: 'upscale'; readonly factor: number; readonly median: number }
  /** A width×height cut by sharp's attention strategy, never enlarged: padded with `fill` (smart-crop.ts). */
  | { readonly op: 'smartCrop'; readonly width: number; readonly height: number; readonly fill: string }
  /**
   * The image and `files` in a grid on a width×height canvas of `color` (collage-stage.ts);
   * `fit: crop` fills each cell, `auto` keeps each image whole.
   */
  | {
      readonly op: 'collage';
      readonly files: readonly { readonly path: string; readonly key: string }[];
      readonly width: number;
      readonly height: number;
      readonly margin: number;
      readonly color: string;
      readonly fit: 'auto' | 'crop';
      readonly autorotate: boolean;
    };

/** The gravities that name a place (not a smart strategy). */
export type FixedGravity = Exclude<Gravity, 'attention' | 'entropy'>;

/** The `op` names, for messages and exhaustiveness checks. */
export type ImageOpName = ImageOp['op'];

/** A stable cache-key fragment for an op list (key order inside each op does not matter). */
export function opsKey(ops: readonly ImageOp[]): string {
  return JSON.stringify(ops.map((o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))));
}
