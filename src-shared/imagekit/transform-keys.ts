/**
 * ImageKit transformation vocabulary (spec §4.5): option key → URL parameter, and the set of URL
 * parameters the CDN knows. Shared by the URL builder (client side) and the transformation parser
 * (local cloud side) so both agree on one table.
 */

/**
 * Option key → URL parameter. Canonical names are the v7 / js5 camelCase keys; the v6 (js ≤ 4)
 * aliases (`rotate`, `effectSharpen`, `effectGray`, ...) map to the same parameter so settings
 * written for either SDK keep working.
 */
export const TRANSFORM_KEY_MAP: Readonly<Record<string, string>> = {
  width: 'w',
  height: 'h',
  aspectRatio: 'ar',
  quality: 'q',
  crop: 'c',
  cropMode: 'cm',
  focus: 'fo',
  x: 'x',
  y: 'y',
  xCenter: 'xc',
  yCenter: 'yc',
  format: 'f',
  radius: 'r',
  background: 'bg',
  border: 'b',
  rotation: 'rt',
  rotate: 'rt',
  blur: 'bl',
  named: 'n',
  progressive: 'pr',
  lossless: 'lo',
  trim: 't',
  metadata: 'md',
  colorProfile: 'cp',
  defaultImage: 'di',
  dpr: 'dpr',
  sharpen: 'e-sharpen',
  effectSharpen: 'e-sharpen',
  unsharpMask: 'e-usm',
  effectUSM: 'e-usm',
  contrastStretch: 'e-contrast',
  effectContrast: 'e-contrast',
  grayscale: 'e-grayscale',
  effectGray: 'e-grayscale',
  shadow: 'e-shadow',
  effectShadow: 'e-shadow',
  gradient: 'e-gradient',
  effectGradient: 'e-gradient',
  original: 'orig',
  flip: 'fl',
  opacity: 'o',
  zoom: 'z',
  page: 'pg',
  videoCodec: 'vc',
  audioCodec: 'ac',
  startOffset: 'so',
  endOffset: 'eo',
  duration: 'du',
  streamingResolutions: 'sr',
  aiUpscale: 'e-upscale',
  aiRetouch: 'e-retouch',
  aiVariation: 'e-genvar',
  aiDropShadow: 'e-dropshadow',
  aiChangeBackground: 'e-changebg',
  aiEdit: 'e-edit',
  aiRemoveBackground: 'e-bgremove',
  aiRemoveBackgroundExternal: 'e-removedotbg',
  colorReplace: 'cr',
  colorize: 'e-colorize',
  distort: 'e-distort',
  fontSize: 'fs',
  fontFamily: 'ff',
  fontColor: 'co',
  color: 'co',
  innerAlignment: 'ia',
  padding: 'pa',
  alpha: 'al',
  typography: 'tg',
  lineHeight: 'lh',
  fontOutline: 'fol',
  fontShadow: 'fsh',
};

/**
 * Keys only the v6 SDK (js ≤ 4) knows. Their values follow v6's rules (`effectContrast: "1"` →
 * `e-contrast-1`, `effectGray: "-"` → `e-grayscale`), not v7's flag rules, which would drop them.
 */
const V6_ONLY_KEYS: ReadonlySet<string> = new Set(['rotate', 'effectsharpen', 'effectusm', 'effectcontrast', 'effectgray', 'effectshadow', 'effectgradient']);

/** True for a v6-only option key (any case, like v6's second-chance lookup). */
export const isV6OnlyKey = (optionKey: string): boolean => V6_ONLY_KEYS.has(optionKey.toLowerCase());

/** Lower-cased lookup, so `Width` or `effectusm` resolve like v6's second-chance match. */
const LOWER_KEY_MAP: ReadonlyMap<string, string> = new Map(
  Object.entries(TRANSFORM_KEY_MAP).map(([k, v]) => [k.toLowerCase(), v]),
);

/**
 * Resolves an option key to its URL parameter; unknown keys pass through unchanged (all SDKs).
 * Own keys only: `toString` is an unknown key, not Object.prototype's function.
 */
export function urlParamFor(optionKey: string): string {
  return (Object.hasOwn(TRANSFORM_KEY_MAP, optionKey) ? TRANSFORM_KEY_MAP[optionKey] : undefined) ?? LOWER_KEY_MAP.get(optionKey.toLowerCase()) ?? optionKey;
}

/**
 * v7 flag effects: only `true` / `"true"` / `"-"` emit the bare key; any other value drops the
 * parameter (so `grayscale: false` means "off", not `e-grayscale-false` as v6 would send).
 */
export const FLAG_EFFECTS: ReadonlySet<string> = new Set([
  'e-grayscale',
  'e-contrast',
  'e-removedotbg',
  'e-bgremove',
  'e-upscale',
  'e-retouch',
  'e-genvar',
]);

/** Effects that take an optional value: `true` / `"true"` / `""` emit the bare key. */
export const OPTIONAL_VALUE_EFFECTS: ReadonlySet<string> = new Set([
  'e-sharpen',
  'e-shadow',
  'e-gradient',
  'e-usm',
  'e-dropshadow',
]);

/** Parameters whose values are paths: one leading/trailing `/` stripped, inner `/` → `@@`. */
export const PATH_VALUE_PARAMS: ReadonlySet<string> = new Set(['di', 'ff']);

/** Layer positioning/content parameters valid only inside `l-…,l-end` groups. */
export const LAYER_PARAMS: ReadonlySet<string> = new Set([
  'i',
  'ie',
  'lx',
  'ly',
  'lxc',
  'lyc',
  'lfo',
  'lap',
  'lso',
  'leo',
  'ldu',
  'lm',
]);

/** Every URL parameter the CDN is known to accept (table values + layer params + `l`). */
export const KNOWN_URL_PARAMS: ReadonlySet<string> = new Set([
  ...Object.values(TRANSFORM_KEY_MAP),
  ...LAYER_PARAMS,
  'l',
]);
