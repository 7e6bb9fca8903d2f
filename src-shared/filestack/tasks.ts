/**
 * Catalog of every Filestack processing task (spec §7.4 and §7.5) with per-parameter validators,
 * and validateStep(). Ranges follow the Filestack processing docs; where the docs and specs are
 * silent the range is our choice and is marked "chosen".
 */
import type { TaskStep, TaskValue } from './types.js';
import type { ParamValidator } from './validators.js';
import { anyOf, bool, color, fileRef, int, listOf, num, oneOf, rect, str } from './validators.js';

/** One task: its parameters and, optionally, short aliases (`w` → `width`). */
export type TaskSpec = {
  readonly params: Readonly<Record<string, ParamValidator>>;
  readonly aliases?: Readonly<Record<string, string>>;
  /** Accept any parameter key: the task exists but its parameters are UNCONFIRMED. */
  readonly open?: boolean;
  /** The task may be written `name=value` with a bare value (e.g. `cache=false`). */
  readonly bareValue?: ParamValidator;
};

const dim = int(1, 10_000);
const bg = { background: color };
const FITS = ['clip', 'crop', 'scale', 'max'];
const SIDES = ['top', 'bottom', 'left', 'right', 'center', 'middle'];
const align = anyOf(oneOf([...SIDES, 'faces']), listOf(oneOf(SIDES), 1, 2));
const faces = anyOf(int(1, 1000), listOf(int(1, 1000)), oneOf(['all']));
const PAGE_FORMATS = ['a2', 'a3', 'a4', 'a5', 'b4', 'b5', 'letter', 'legal', 'tabloid'];
const ORIENTATIONS = ['portrait', 'landscape'];
const pages = anyOf(int(1, 100_000), listOf(anyOf(int(1, 100_000), str)), str);
/** Formats `output=format:` accepts (docs list; avif/heif per newer docs). */
export const OUTPUT_FORMATS = [
  'jpg', 'jpeg', 'pjpg', 'png', 'webp', 'gif', 'avif', 'heif', 'heic', 'tiff', 'tif', 'bmp', 'ico', 'svg', 'pdf',
  'doc', 'docx', 'odt', 'txt', 'html', 'xls', 'xlsx', 'ppt', 'pptx', 'jp2', 'psd', 'eps', 'raw',
] as const;
const STORE_LOCATIONS = ['s3', 'gcs', 'azure', 'rackspace', 'dropbox'];
const faceDetect = { minsize: num(0, 10_000), maxsize: num(0, 10_000), buffer: int(0, 1000) };
const partial = { amount: int(2, 100), blur: num(0, 20), type: oneOf(['rect', 'oval']), objects: listOf(rect) };
const roundCorners: TaskSpec = { params: { radius: anyOf(int(1, 10_000), oneOf(['max'])), blur: num(0, 20), ...bg } };
const minifyFlags = ['gzip', 'use_babel_polyfill', 'keep_fn_name', 'keep_class_name', 'mangle', 'merge_vars', 'remove_console', 'remove_undefined'];
const store: TaskSpec = {
  params: {
    filename: str,
    location: oneOf(STORE_LOCATIONS, true),
    path: str,
    container: str,
    region: str,
    access: oneOf(['public', 'private']),
    base64decode: bool,
    workflows: listOf(str, 1, 100),
  },
};
const videoConvert: TaskSpec = {
  params: {
    preset: oneOf(['h264', 'h264.hi', 'webm', 'webm.hi', 'ogg', 'ogg.hi', 'mp4', 'm4a', 'mp3', 'aac', 'flac', 'oga', 'iphone', 'ipad', 'android', 'hls.variant', 'hls.variant.audio', 'jpg', 'png']),
    force: bool,
    title: str,
    extname: str,
    filename: str,
    width: dim,
    height: dim,
    upscale: bool,
    aspect_mode: oneOf(['preserve', 'constrain', 'letterbox', 'pad', 'crop']),
    two_pass: bool,
    video_bitrate: int(1, 100_000), // kbit/s, chosen
    fps: int(1, 300),
    keyframe_interval: int(1, 300),
    location: oneOf(STORE_LOCATIONS, true),
    watermark_url: fileRef,
    watermark_top: int(0, 10_000),
    watermark_bottom: int(0, 10_000),
    watermark_right: int(0, 10_000),
    watermark_left: int(0, 10_000),
    watermark_width: dim,
    watermark_height: dim,
    path: str,
    access: oneOf(['public', 'private']),
    container: str,
    audio_bitrate: int(1, 999),
    audio_sample_rate: int(1, 192_000),
    audio_channels: int(1, 12),
    clip_length: str, // "HH:MM:SS" or seconds
    clip_offset: str,
    audio_codec: str, // JS only (spec §7.5)
  },
};
const open: TaskSpec = { params: {}, open: true };
const none: TaskSpec = { params: {} };

/** Every task, keyed by its wire name. */
export const TASKS: Readonly<Record<string, TaskSpec>> = {
  resize: { params: { width: dim, height: dim, fit: oneOf(FITS), align }, aliases: { w: 'width', h: 'height', f: 'fit', a: 'align' } },
  crop: { params: { dim: rect }, aliases: { d: 'dim' } },
  rotate: { params: { deg: anyOf(int(0, 359), oneOf(['exif'])), exif: bool, ...bg }, aliases: { d: 'deg', e: 'exif', b: 'background' } },
  flip: none,
  flop: none,
  watermark: { params: { file: fileRef, size: int(1, 500), position: align }, aliases: { f: 'file', s: 'size', p: 'position' } },
  detect_faces: { params: { minsize: faceDetect.minsize, maxsize: faceDetect.maxsize, color, export: bool } },
  crop_faces: { params: { mode: oneOf(['thumb', 'crop', 'fill']), width: dim, height: dim, faces, buffer: faceDetect.buffer } },
  pixelate_faces: { params: { faces, ...faceDetect, amount: int(2, 100), blur: num(0, 20), type: oneOf(['rect', 'oval']) } },
  blur_faces: { params: { faces, ...faceDetect, amount: num(0, 20), blur: num(0, 20), type: oneOf(['rect', 'oval']) } },
  round_corners: roundCorners,
  rounded_corners: roundCorners,
  vignette: { params: { amount: int(0, 100), blurmode: oneOf(['linear', 'gaussian']), ...bg } },
  polaroid: { params: { color, rotate: int(0, 359), ...bg } },
  torn_edges: { params: { spread: listOf(int(1, 10_000), 2, 2), ...bg } },
  shadow: { params: { blur: num(0, 20), opacity: int(0, 100), vector: listOf(int(-1000, 1000), 2, 2), color, ...bg } },
  circle: { params: { ...bg } },
  border: { params: { width: int(1, 1000), color, ...bg } },
  sharpen: { params: { amount: num(0, 20) } },
  blur: { params: { amount: num(1, 20) } },
  monochrome: none,
  blackwhite: { params: { threshold: int(0, 100) } },
  sepia: { params: { tone: int(0, 100) } },
  pixelate: { params: { amount: int(2, 100) } },
  oil_paint: { params: { amount: int(1, 10) } },
  negative: none,
  modulate: { params: { brightness: int(0, 10_000), saturation: int(0, 10_000), hue: int(0, 359) } },
  partial_pixelate: { params: partial },
  partial_blur: { params: { ...partial, amount: num(0, 20) } },
  collage: { params: { files: listOf(fileRef, 1, 100), margin: int(1, 100), width: dim, height: dim, color, fit: oneOf(['auto', 'crop']), autorotate: bool } },
  upscale: { params: { upscale: bool, noise: oneOf(['none', 'low', 'medium', 'high']), style: oneOf(['artwork', 'photo']) } },
  enhance: { params: { preset: oneOf(['auto', 'vivid', 'beautify', 'beautify_plus', 'fix_dark', 'fix_noise', 'fix_tint', 'outdoor', 'fireworks']) }, aliases: { p: 'preset' } },
  redeye: none,
  ascii: { params: { background: color, foreground: color, colored: bool, size: int(10, 100), reverse: bool } },
  output: {
    params: {
      format: oneOf(OUTPUT_FORMATS),
      ...bg,
      page: int(1, 99_999),
      density: int(1, 500),
      compress: bool,
      quality: anyOf(int(1, 100), oneOf(['input'])),
      strip: bool,
      colorspace: oneOf(['rgb', 'cmyk', 'input']),
      secure: bool,
      docinfo: bool,
      pageformat: oneOf(PAGE_FORMATS),
      pageorientation: oneOf(ORIENTATIONS),
    },
    aliases: { f: 'format', b: 'background', p: 'page', d: 'density', c: 'compress', q: 'quality', s: 'strip', cs: 'colorspace' },
  },
  no_metadata: none,
  quality: { params: { value: int(1, 100) } },
  zip: none,
  // JS writes `handle`, Python `file` (spec §7.4, canonical UNCONFIRMED): accept both.
  fallback: { params: { file: fileRef, handle: fileRef, cache: int(0, 31_536_000) } },
  pdfinfo: { params: { colorinfo: bool } },
  pdfconvert: { params: { pageorientation: oneOf(ORIENTATIONS), pageformat: oneOf(PAGE_FORMATS), pages, metadata: bool } },
  minify_js: { params: { ...Object.fromEntries(minifyFlags.map((k) => [k, bool])), targets: str } },
  minify_css: { params: { level: int(1, 2), gzip: bool } },
  video_convert: videoConvert,
  auto_image: none,
  doc_to_images: { params: { pages, engine: oneOf(['imagemagick', 'mupdf']), format: oneOf(['png', 'jpg']), quality: int(1, 100), density: int(1, 500), hidden_slides: bool } },
  smart_crop: { params: { mode: oneOf(['face', 'object', 'auto']), width: dim, height: dim, fill_color: color, coords: bool } },
  pdfcreate: { params: { engine: oneOf(['imagemagick', 'mupdf']) } },
  animate: { params: { delay: int(0, 100_000), loop: int(0, 10_000), width: dim, height: dim, fit: oneOf(FITS), align, ...bg } },
  store,
  tags: none,
  sfw: none,
  ocr: none,
  urlscreenshot: {
    params: { agent: oneOf(['desktop', 'mobile']), mode: oneOf(['all', 'window']), width: dim, height: dim, delay: int(0, 20_000), orientation: oneOf(ORIENTATIONS), device: str },
  },
  compress: { params: { metadata: bool } },
  pjpg: { params: { quality: int(1, 100), metadata: bool } },
  imagesize: none,
  cache: { params: { expiry: int(0, 31_536_000) }, aliases: { e: 'expiry' }, bareValue: oneOf(['false']) },
  security: { params: { policy: str, signature: str }, aliases: { p: 'policy', s: 'signature' } },
  debug: none,
  preview: { params: { css: str } },
  doc_detection: { params: { coords: bool, preprocess: bool } },
  metadata: open,
  video_playlist: open,
  caption: open,
  image_sentiment: open,
  text_sentiment: open,
  qr: open,
  slide: open,
  run_workflow: open,
  workflow_status: open,
  content: open,
};

/** Is `name` a task this catalog knows (used by the parser's apikey heuristic)? */
export function isKnownTask(name: string): boolean {
  return Object.hasOwn(TASKS, name);
}

/** Maps short aliases to canonical keys (`w:100` → `width:100`); unknown keys pass through. */
export function canonicalParams(step: TaskStep): Readonly<Record<string, TaskValue>> {
  const aliases = TASKS[step.name]?.aliases ?? {};
  const out: Record<string, TaskValue> = {};
  for (const [k, v] of Object.entries(step.params ?? {})) out[aliases[k] ?? k] = v;
  return out;
}

/** Checks a step against the catalog; messages name the task and the parameter. */
export function validateStep(step: TaskStep): { ok: true } | { ok: false; message: string } {
  const spec = Object.hasOwn(TASKS, step.name) ? TASKS[step.name] : undefined;
  if (spec === undefined) return { ok: false, message: `Unknown Filestack task "${step.name}".` };
  if (step.value !== undefined) {
    if (step.params !== undefined) return { ok: false, message: `Task "${step.name}" cannot have both a bare value and parameters.` };
    const bad = spec.bareValue ? spec.bareValue(step.value) : 'not used';
    return bad === null ? { ok: true } : { ok: false, message: `Task "${step.name}": a bare value "${String(step.value)}" is not allowed.` };
  }
  for (const [key, value] of Object.entries(canonicalParams(step))) {
    const check = Object.hasOwn(spec.params, key) ? spec.params[key] : undefined;
    if (check === undefined) {
      if (spec.open) continue;
      const known = Object.keys(spec.params);
      const hint = known.length ? ` Known parameters: ${known.join(', ')}.` : ' It takes no parameters.';
      return { ok: false, message: `Task "${step.name}" has no parameter "${key}".${hint}` };
    }
    const problem = check(value);
    if (problem !== null) {
      return { ok: false, message: `Task "${step.name}": parameter "${key}" must be ${problem} (got ${JSON.stringify(value)}).` };
    }
  }
  return { ok: true };
}
