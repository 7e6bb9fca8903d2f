import { describe, expect, it } from 'vitest';
import { evalExpr, layerColor, layerPosition, resolveSizes, toLayerSpec, type LayerPlacement } from '../../src-shared/imagekit/layer-ops.js';
import { parseTransformation } from '../../src-shared/imagekit/transform-parser.js';
import { layerOf } from '../support/imagekit-layer.js';


describe('layer arithmetic', () => {
  it.each([
    ['10', 10],
    ['N10', -10],
    ['bw_mul_0.4', 160],
    ['bw_sub_cw', 350],
    ['bh_div_2_add_N5', 145],
    ['cw_mod_7', 1],
    ['2_pow_3', 8],
  ])('%s', (expr, value) => {
    expect(evalExpr(expr, { bw: 400, bh: 300, cw: 50, ch: 20 })).toBeCloseTo(value);
  });

  it('gives null for unknown names and division by zero', () => {
    expect(evalExpr('zz_add_1', { bw: 1 })).toBeNull();
    expect(evalExpr('bw_div_0', { bw: 1 })).toBeNull();
  });

  it('resolves arithmetic sizes, leaves plain numbers and nested layers alone', () => {
    const r = parseTransformation('w-bw_div_4,h-30,l-image,i-x.png,w-bw_mul_2,l-end');
    if (!r.ok) throw new Error(r.message);
    const resolved = resolveSizes(r.steps, { bw: 400 });
    expect(resolved).toMatchObject([[{ key: 'w', value: '100' }, { key: 'h', value: '30' }, { kind: 'layer' }]]);
    expect(resolveSizes([[{ kind: 'param', key: 'w', value: 'qq_mul_2' }]], {})).toEqual({ failed: 'w-qq_mul_2' });
  });
});

describe('layer placement', () => {
  const place = (p: Partial<LayerPlacement>): LayerPlacement => ({ focus: 'center', anchor: 'top_left', mode: 'normal', ...p });
  it.each<[string, Partial<LayerPlacement>, { left: number; top: number }]>([
    ['centre by default', {}, { left: 175, top: 140 }],
    ['focus bottom_right', { focus: 'bottom_right' }, { left: 350, top: 280 }],
    ['focus top', { focus: 'top' }, { left: 175, top: 0 }],
    ['x only: y is 0', { x: '10' }, { left: 10, top: 0 }],
    ['anchor bottom_right counts inwards', { x: '10', y: '5', anchor: 'bottom_right' }, { left: 340, top: 275 }],
    ['centre coordinates', { xCenter: '100', yCenter: '50' }, { left: 75, top: 40 }],
    ['arithmetic', { x: 'bw_sub_cw', y: 'bh_sub_ch' }, { left: 350, top: 280 }],
  ])('%s', (_name, p, expected) => {
    expect(layerPosition(place(p), 400, 300, 50, 20)).toEqual(expected);
  });
});

describe('toLayerSpec', () => {
  it('reads a text layer with its look, placement and remaining steps', () => {
    const r = toLayerSpec(layerOf('l-text,i-Hello World,fs-30,co-FF000050,bg-white,pa-5_10,w-200,ia-left,tg-b_i,al-7,lx-10,ly-N5,rt-90,l-end'));
    expect(r).toMatchObject({
      ok: true,
      spec: {
        kind: 'text',
        text: 'Hello World',
        alpha: 7,
        style: { fontSize: '30', color: { hex: '#ff0000', opacity: 0.5 }, background: { hex: 'white', opacity: 1 }, padding: ['5', '10', '5', '10'], width: '200', align: 'left', bold: true, italic: true },
        placement: { x: '10', y: 'N5', focus: 'center', anchor: 'top_left', mode: 'normal' },
        steps: [[{ kind: 'param', key: 'rt', value: '90' }]],
      },
    });
  });

  it('reads image paths (@@ and ie-) and solid canvases', () => {
    expect(toLayerSpec(layerOf('l-image,i-a@@b.png,w-10,l-end'))).toMatchObject({ ok: true, spec: { kind: 'image', path: '/a/b.png', steps: [[{ key: 'w', value: '10' }]] } });
    const b64 = Buffer.from('dir/ü.png').toString('base64');
    expect(toLayerSpec(layerOf(`l-image,ie-${b64},l-end`))).toMatchObject({ ok: true, spec: { kind: 'image', path: '/dir/ü.png' } });
    expect(toLayerSpec(layerOf('l-image,i-ik_canvas,bg-00FF0080,w-50,h-bh_div_2,r-5,l-end'))).toMatchObject({
      ok: true,
      spec: { kind: 'canvas', color: { hex: '#00ff00', opacity: 0.8 }, width: '50', height: 'bh_div_2', steps: [[{ key: 'r', value: '5' }]] },
    });
  });

  it.each([
    ['l-text,fs-10,l-end', 'needs its input'],
    ['l-text,i-a,ia-middle,l-end', '"ia"'],
    ['l-text,i-a,tg-u,l-end', '"tg"'],
    ['l-image,ie-%%%,l-end', '"ie"'],
    ['l-image,i-a.png,lfo-middle,l-end', '"lfo"'],
    ['l-image,i-a.png,lm-screen,l-end', '"lm"'],
    ['l-subtitles,i-a.srt,l-end', '"l-subtitles"'],
  ])('refuses %s', (tx, text) => {
    const r = toLayerSpec(layerOf(tx));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(text);
  });

  it('reads colours with a 00–99 opacity suffix', () => {
    expect(layerColor('co', 'AABBCC')).toEqual({ hex: '#aabbcc', opacity: 1 });
    expect(layerColor('co', 'AABBCC25')).toEqual({ hex: '#aabbcc', opacity: 0.25 });
    expect(() => layerColor('co', 'AABBCCFF')).toThrow();
  });
});
