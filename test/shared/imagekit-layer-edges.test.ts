/**
 * Layer descriptions at their edges (imagekit-layer-ops.test.ts has the common paths): the
 * defaults of a text layer's look, each bound (alpha, line height, padding count, text length),
 * which step a parameter counts in, canvas defaults, arithmetic that fails, and placement from
 * every anchor.
 */
import { describe, expect, it } from 'vitest';
import { evalExpr, layerColor, layerPosition, MAX_LAYER_TEXT, resolveSizes, toLayerSpec, type LayerPlacement } from '../../src-shared/imagekit/layer-ops.js';
import { layerOf } from '../support/imagekit-layer.js';

const spec = (tx: string) => {
  const r = toLayerSpec(layerOf(tx));
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};
const refusal = (tx: string): string => {
  const r = toLayerSpec(layerOf(tx));
  return r.ok ? 'OK' : r.message;
};
const invalid = (key: string, value: string): string => `Invalid value "${value}" for layer parameter "${key}".`;

describe('text layers', () => {
  it('has a default look: 14 px DejaVu Sans, black, no padding, centred, plain', () => {
    expect(spec('l-text,i-Hi,l-end')).toStrictEqual({
      kind: 'text',
      text: 'Hi',
      style: {
        fontSize: '14',
        fontFamily: 'DejaVu Sans',
        color: { hex: '#000000', opacity: 1 },
        padding: ['0', '0', '0', '0'],
        align: 'center',
        bold: false,
        italic: false,
        strikethrough: false,
      },
      placement: { focus: 'center', anchor: 'top_left', mode: 'normal' },
      steps: [],
    });
  });

  it('keeps @@ in text (only paths read it as /) and reads ie- as UTF-8', () => {
    expect(spec('l-text,i-a@@b,l-end')).toMatchObject({ text: 'a@@b' });
    expect(spec(`l-text,ie-${Buffer.from('é/ü').toString('base64')},l-end`)).toMatchObject({ text: 'é/ü' });
  });

  it('reads padding like CSS: one to four values', () => {
    expect(spec('l-text,i-a,pa-1,l-end')).toMatchObject({ style: { padding: ['1', '1', '1', '1'] } });
    expect(spec('l-text,i-a,pa-1_2_3,l-end')).toMatchObject({ style: { padding: ['1', '2', '3', '2'] } });
    expect(spec('l-text,i-a,pa-1_2_3_bw,l-end')).toMatchObject({ style: { padding: ['1', '2', '3', 'bw'] } });
    expect(refusal('l-text,i-a,pa-1_2_3_4_5,l-end')).toBe(invalid('pa', '1_2_3_4_5'));
    expect(refusal('l-text,i-a,pa-1_x!,l-end')).toBe(invalid('pa', 'x!'));
  });

  it('reads styles, alignment, line height, family and width', () => {
    expect(spec('l-text,i-a,tg-strikethrough,ia-right,lh-1000,ff-Noto Serif_Bold@.ttf,w-bw_mul_0.5,fs-N2_add_20,l-end')).toMatchObject({
      style: { strikethrough: true, bold: false, italic: false, align: 'right', lineHeight: 1000, fontFamily: 'Noto Serif_Bold@.ttf', width: 'bw_mul_0.5', fontSize: 'N2_add_20' },
    });
    expect(spec('l-text,i-a,lh-0.5,l-end')).toMatchObject({ style: { lineHeight: 0.5 } });
    for (const lh of ['0', '1001', 'x']) expect(refusal(`l-text,i-a,lh-${lh},l-end`)).toBe(invalid('lh', lh));
    expect(refusal(`l-text,i-a,ff-${'a'.repeat(65)},l-end`)).toBe(invalid('ff', 'a'.repeat(65)));
    expect(refusal('l-text,i-a,ff-a+b,l-end')).toBe(invalid('ff', 'a+b'));
    // Names of two to four letters are variables (`bw`, `ch`), checked once the sizes are known.
    expect(refusal('l-text,i-a,fs-large,l-end')).toBe(invalid('fs', 'large'));
    expect(refusal('l-text,i-a,w-1_plus_2,l-end')).toBe(invalid('w', '1_plus_2'));
  });

  it(`holds at most ${MAX_LAYER_TEXT} characters`, () => {
    expect(spec(`l-text,i-${'a'.repeat(MAX_LAYER_TEXT)},l-end`)).toMatchObject({ kind: 'text' });
    expect(refusal(`l-text,i-${'a'.repeat(MAX_LAYER_TEXT + 1)},l-end`)).toBe(`A text layer may hold at most ${MAX_LAYER_TEXT} characters.`);
  });

  it('takes alpha 1 to 9, whole', () => {
    expect(spec('l-text,i-a,al-1,l-end')).toMatchObject({ alpha: 1 });
    expect(spec('l-text,i-a,al-9,l-end')).toMatchObject({ alpha: 9 });
    for (const al of ['0', '10', '1.5', 'x']) expect(refusal(`l-text,i-a,al-${al},l-end`)).toBe(invalid('al', al));
  });

  it('counts look parameters in the first step only; placement in any step; drops timing', () => {
    const s = spec('l-text,i-a,lso-2:fs-30,lx-5,ldu-1,lap-bottom_right,l-end');
    expect(s).toMatchObject({ style: { fontSize: '14' }, placement: { x: '5', anchor: 'bottom_right' }, steps: [[{ kind: 'param', key: 'fs', value: '30' }]] });
  });

  it('refuses a bare ie and a missing input', () => {
    expect(refusal('l-text,ie,l-end')).toBe(invalid('ie', ''));
    expect(refusal('l-text,i,l-end')).toBe('A layer needs its input: i-<value> or ie-<base64>.');
  });
});

describe('image and canvas layers', () => {
  it('roots an image path once, however it was written', () => {
    expect(spec('l-image,i-@@@@a@@b.png,l-end')).toMatchObject({ kind: 'image', path: '/a/b.png' });
    expect(spec('l-image,i-a.png,al-3,lm-cutout,l-end')).toStrictEqual({ kind: 'image', path: '/a.png', alpha: 3, placement: { focus: 'center', anchor: 'top_left', mode: 'cutout' }, steps: [] });
  });

  it('gives a canvas a white colour and no size by default; its own keys stay out of the steps', () => {
    expect(spec('l-image,i-ik_canvas,l-end')).toStrictEqual({ kind: 'canvas', color: { hex: '#ffffff', opacity: 1 }, placement: { focus: 'center', anchor: 'top_left', mode: 'normal' }, steps: [] });
    expect(spec('l-image,i-ik_canvas,h-10,al-2,lm-multiply,l-end')).toEqual({
      kind: 'canvas',
      color: { hex: '#ffffff', opacity: 1 },
      height: '10',
      alpha: 2,
      placement: { focus: 'center', anchor: 'top_left', mode: 'multiply' },
      steps: [],
    });
    // On an image (not a canvas) w and h transform the layer.
    expect(spec('l-image,i-a.png,w-10,h-5,l-end')).toMatchObject({ steps: [[{ key: 'w' }, { key: 'h' }]] });
    expect(refusal('l-image,i-ik_canvas,bg-nothex1,l-end')).toBe(invalid('bg', 'nothex1'));
    expect(refusal('l-image,i-ik_canvas,w-wider,l-end')).toBe(invalid('w', 'wider'));
    expect(refusal('l-image,i-ik_canvas,h-tall!,l-end')).toBe(invalid('h', 'tall!'));
  });

  it('refuses displace and unknown layer types in words', () => {
    expect(refusal('l-image,i-a.png,lm-displace,l-end')).toBe('Layer mode "displace" is not supported on the local cloud.');
    expect(refusal('l-video,i-a.mp4,l-end')).toBe('"l-video" layers are not supported on images by the local cloud (use l-text or l-image).');
    expect(refusal('l-image,i-a.png,lx-right,l-end')).toBe(invalid('lx', 'right'));
    expect(refusal('l-image,i-a.png,lyc-1_add,l-end')).toBe(invalid('lyc', '1_add'));
    expect(refusal('l-image,i-a.png,lap-middle,l-end')).toBe(invalid('lap', 'middle'));
  });
});

describe('layerColor', () => {
  it.each([
    ['FFFFFF00', { hex: '#ffffff', opacity: 0 }],
    ['00000099', { hex: '#000000', opacity: 0.99 }],
    ['White', { hex: 'white', opacity: 1 }],
    ['abcdefghijklmnopqrst', { hex: 'abcdefghijklmnopqrst', opacity: 1 }],
  ])('%s', (value, color) => {
    expect(layerColor('co', value)).toEqual(color);
  });

  it.each(['fade', 'ab', 'abcdefghijklmnopqrstu', 'FFFFFF0', '#ffffff', 'red1', ''])('refuses %j naming it', (value) => {
    expect(() => layerColor('bg', value)).toThrow(invalid('bg', value));
  });

  it('refuses a missing value', () => {
    expect(() => layerColor('co', null)).toThrow(invalid('co', ''));
  });
});

describe('evalExpr', () => {
  it.each([
    ['N2_mul_3', -6],
    ['1.5_add_0.25', 1.75],
    ['10_sub_N5', 15],
    ['7_div_2', 3.5],
    ['bw_pow_2', 16],
    ['bw', 4],
  ])('%s', (text, value) => {
    expect(evalExpr(text, { bw: 4 })).toBe(value);
  });

  it('is null for a zero modulus, an overflow or an unknown name on either side', () => {
    expect(evalExpr('5_mod_0', {})).toBeNull();
    expect(evalExpr('10_pow_400', {})).toBeNull();
    expect(evalExpr('x_add_1', {})).toBeNull();
    expect(evalExpr('1_add_x', {})).toBeNull();
    expect(evalExpr('', {})).toBeNull();
  });
});

describe('resolveSizes', () => {
  it('rounds, keeps at least 1 px, and fails on nothing or less', () => {
    expect(resolveSizes([[{ kind: 'param', key: 'w', value: 'bw_mul_0.001' }]], { bw: 400 })).toEqual([[{ kind: 'param', key: 'w', value: '1' }]]);
    expect(resolveSizes([[{ kind: 'param', key: 'h', value: 'bh_div_3' }]], { bh: 100 })).toEqual([[{ kind: 'param', key: 'h', value: '33' }]]);
    expect(resolveSizes([[{ kind: 'param', key: 'h', value: 'bh_sub_bh' }]], { bh: 100 })).toEqual({ failed: 'h-bh_sub_bh' });
    expect(resolveSizes([[{ kind: 'param', key: 'w', value: 'N5' }]], {})).toEqual({ failed: 'w-N5' });
    expect(resolveSizes([[{ kind: 'param', key: 'w', value: 'not an expr' }]], {})).toEqual({ failed: 'w-not an expr' });
  });

  it('leaves other keys, bare sizes and plain numbers as they are', () => {
    const steps = [[{ kind: 'param', key: 'rt', value: 'bw_mul_2' }, { kind: 'param', key: 'w', value: null }, { kind: 'param', key: 'h', value: '12.5' }]] as const;
    expect(resolveSizes(steps, { bw: 10 })).toEqual(steps);
  });
});

describe('layerPosition from every anchor', () => {
  const place = (p: Partial<LayerPlacement>): LayerPlacement => ({ focus: 'center', anchor: 'top_left', mode: 'normal', ...p });
  // Base 400×300, layer 50×20: free space 350 × 280.
  it.each<[string, Partial<LayerPlacement>, { left: number; top: number }]>([
    ['anchor center', { x: '10', y: '10', anchor: 'center' }, { left: 185, top: 150 }],
    ['anchor top', { x: '10', y: '10', anchor: 'top' }, { left: 185, top: 10 }],
    ['anchor right', { x: '10', y: '10', anchor: 'right' }, { left: 340, top: 150 }],
    ['anchor bottom_left', { x: '10', y: '10', anchor: 'bottom_left' }, { left: 10, top: 270 }],
    ['y only: x is 0 from the anchor', { y: '7', anchor: 'bottom_right' }, { left: 350, top: 273 }],
    ['centre y only', { yCenter: '100' }, { left: 0, top: 90 }],
    ['centre x wins over x', { x: '5', xCenter: '100' }, { left: 75, top: 0 }],
    ['focus left', { focus: 'left' }, { left: 0, top: 140 }],
    ['focus bottom_left', { focus: 'bottom_left' }, { left: 0, top: 280 }],
    ['focus right', { focus: 'right' }, { left: 350, top: 140 }],
    ['aspect-ratio variables', { x: 'bar_mul_3', y: 'car_mul_2' }, { left: 4, top: 5 }],
  ])('%s', (_name, p, expected) => {
    expect(layerPosition(place(p), 400, 300, 50, 20)).toEqual(expected);
  });

  it('is null when any coordinate cannot be evaluated', () => {
    for (const p of [{ x: 'q' }, { y: 'q' }, { xCenter: 'q' }, { yCenter: '1_div_0' }]) expect(layerPosition(place(p), 400, 300, 50, 20)).toBeNull();
  });
});

describe('layer parameters: each named in its refusal', () => {
  it.each([
    ['l-text,i-a,tg-u,l-end', 'tg', 'u'],
    ['l-text,i-a,ia-middle,l-end', 'ia', 'middle'],
    ['l-text,i-a,co-zz1,l-end', 'co', 'zz1'],
    ['l-text,i-a,bg-zz1,l-end', 'bg', 'zz1'],
    ['l-image,i-a.png,lx,l-end', 'lx', ''],
    ['l-image,i-a.png,ly-1_x!,l-end', 'ly', '1_x!'],
    ['l-image,i-a.png,lxc-wider,l-end', 'lxc', 'wider'],
    ['l-image,i-a.png,lyc-wider,l-end', 'lyc', 'wider'],
  ])('%s', (tx, key, value) => {
    expect(refusal(tx)).toBe(invalid(key, value));
  });

  it('reads centre coordinates and the cutter mode', () => {
    expect(spec('l-image,i-a.png,lxc-10,lyc-bh_div_2,lm-cutter,l-end')).toMatchObject({ placement: { xCenter: '10', yCenter: 'bh_div_2', mode: 'cutter' } });
  });

  it('takes a canvas only from i-ik_canvas, not from another parameter with that value', () => {
    expect(spec('l-image,i-a.png,n-ik_canvas,l-end')).toMatchObject({ kind: 'image', path: '/a.png', steps: [[{ key: 'n', value: 'ik_canvas' }]] });
  });

  it('refuses an 8-digit colour with anything around it', () => {
    for (const v of ['gAABBCC25', 'AABBCC25x']) expect(() => layerColor('co', v)).toThrow(invalid('co', v));
  });
});

describe('layerPosition: centre coordinates from the far anchors', () => {
  const place = (p: Partial<LayerPlacement>): LayerPlacement => ({ focus: 'center', anchor: 'top_left', mode: 'normal', ...p });
  it.each<[string, Partial<LayerPlacement>, { left: number; top: number }]>([
    ['centre x only', { xCenter: '100' }, { left: 75, top: 0 }],
    ['centre x from the right', { xCenter: '100', anchor: 'right' }, { left: 275, top: 140 }],
    ['centre y from the bottom', { yCenter: '100', anchor: 'bottom' }, { left: 175, top: 190 }],
  ])('%s', (_name, p, expected) => {
    expect(layerPosition(place(p), 400, 300, 50, 20)).toEqual(expected);
  });
});
