/**
 * Structured layers for the URL builder: the v7 / js5 `overlay` option (spec §4.4), rendered to
 * `l-text|l-image|l-video|l-subtitles,…,l-end`. The facts follow the v7 SDK: text goes as
 * `i-<encodeURIComponent(text)>` when it is plain (`[a-zA-Z0-9-._ ]`), else as
 * `ie-<encodeURIComponent(base64(utf8))>`; paths lose one leading/trailing `/` and go as `i-` with
 * `/` → `@@` when plain (`[a-zA-Z0-9-._/ ]`), else `ie-`; a solid colour is
 * `l-image,i-ik_canvas,bg-<color>`. One deliberate difference: a position of `0` is written
 * (`lx-0`), where v7 drops falsy numbers; both mean the same place.
 */
import { appError, FerryError } from '../errors.js';
import { base64EncodeText } from '../filestack/base64.js';

/** Where a layer sits (v7 `OverlayPosition`); numbers or ImageKit arithmetic (`bw_mul_0.4`). */
export type OverlayPosition = {
  readonly x?: number | string;
  readonly y?: number | string;
  readonly xCenter?: number | string;
  readonly yCenter?: number | string;
  readonly focus?: string;
  readonly anchorPoint?: string;
};

/** When a layer shows on a video (v7 `OverlayTiming`), in seconds. */
export type OverlayTiming = { readonly start?: number | string; readonly end?: number | string; readonly duration?: number | string };

/** How the layer's input is written: `auto` picks `i-` for plain input, `ie-` (base64) else. */
export type OverlayEncoding = 'auto' | 'plain' | 'base64';

type OverlayBase<Step> = {
  readonly position?: OverlayPosition;
  readonly timing?: OverlayTiming;
  readonly layerMode?: 'multiply' | 'cutter' | 'cutout' | 'displace';
  /** Transformations of the layer itself, written between its input and `l-end`. */
  readonly transformation?: readonly Step[];
};

/** One layer, as v7's `Transformation.overlay`. `Step` is the builder's transformation step. */
export type Overlay<Step> =
  | (OverlayBase<Step> & { readonly type: 'text'; readonly text: string; readonly encoding?: OverlayEncoding })
  | (OverlayBase<Step> & { readonly type: 'image' | 'video' | 'subtitle'; readonly input: string; readonly encoding?: OverlayEncoding })
  | (OverlayBase<Step> & { readonly type: 'solidColor'; readonly color: string });

const PLAIN_TEXT = /^[a-zA-Z0-9-._ ]*$/;
const PLAIN_PATH = /^[a-zA-Z0-9-._/ ]*$/;
const LAYER_NAMES: Readonly<Record<string, string>> = { text: 'l-text', image: 'l-image', video: 'l-video', subtitle: 'l-subtitles', solidColor: 'l-image' };

const encoded = (s: string): string => `ie-${encodeURIComponent(base64EncodeText(s, 'standard'))}`;

function textInput(text: string, encoding: OverlayEncoding): string {
  if (encoding === 'base64' || (encoding === 'auto' && !PLAIN_TEXT.test(text))) return encoded(text);
  return `i-${encodeURIComponent(text)}`;
}

function pathInput(input: string, encoding: OverlayEncoding): string {
  const path = input.replace(/^\//, '').replace(/\/$/, '');
  if (encoding === 'base64' || (encoding === 'auto' && !PLAIN_PATH.test(path))) return encoded(path);
  return `i-${path.replace(/\//g, '@@')}`;
}

/** `lm-`, `lx-` and friends for the mode, position and timing fields that are set. */
function placement(o: OverlayBase<unknown>): string[] {
  const out: string[] = [];
  const add = (param: string, v: unknown): void => {
    if (v === undefined || v === null || v === '') return;
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new FerryError(appError('bad_request', `The overlay's "${param}" must be a number or a string.`, { details: { key: param } }));
    }
    out.push(`${param}-${String(v)}`);
  };
  const p = o.position ?? {};
  const t = o.timing ?? {};
  add('lm', o.layerMode);
  add('lx', p.x);
  add('ly', p.y);
  add('lxc', p.xCenter);
  add('lyc', p.yCenter);
  add('lfo', p.focus);
  add('lap', p.anchorPoint);
  add('lso', t.start);
  add('leo', t.end);
  add('ldu', t.duration);
  return out;
}

/**
 * Renders one overlay, or null when it has no content (no text / input / colour), which v7
 * also drops. An unknown `type` is a FerryError(bad_request). `buildSteps` renders the layer's own transformation (the builder's function, passed
 * in so the two modules do not import each other).
 */
export function overlayString<Step>(o: Overlay<Step>, buildSteps: (steps: readonly Step[]) => string): string | null {
  const type = (o as { type?: unknown }).type;
  // Own keys only, so a type such as "constructor" is unknown rather than Object's function.
  const layer = typeof type === 'string' && Object.hasOwn(LAYER_NAMES, type) ? LAYER_NAMES[type] : undefined;
  if (layer === undefined) {
    throw new FerryError(appError('bad_request', `Unknown overlay type ${JSON.stringify(type) ?? 'undefined'}: use text, image, video, subtitle or solidColor.`));
  }
  const content = o.type === 'text' ? o.text : o.type === 'solidColor' ? o.color : o.input;
  if (content === undefined || content === null || content === '') return null;
  if (typeof content !== 'string') {
    throw new FerryError(appError('bad_request', `The ${o.type} overlay's ${o.type === 'text' ? 'text' : o.type === 'solidColor' ? 'color' : 'input'} must be a string.`));
  }
  const parts = [layer];
  if (o.type === 'text') parts.push(textInput(content, o.encoding ?? 'auto'));
  else if (o.type === 'solidColor') parts.push('i-ik_canvas', `bg-${content}`);
  else parts.push(pathInput(content, o.encoding ?? 'auto'));
  parts.push(...placement(o));
  const inner = buildSteps(o.transformation ?? []);
  if (inner.trim() !== '') parts.push(inner);
  parts.push('l-end');
  return parts.join(',');
}
