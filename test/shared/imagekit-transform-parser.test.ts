import { describe, expect, it } from 'vitest';
import { defaultImageOf, parseTransformation, stringifyTransformation, toRenderOps } from '../../src-shared/imagekit/transform-parser.js';
import { buildTransformationString, type TransformStep } from '../../src-shared/imagekit/url-builder.js';

const parse = (tx: string) => {
  const r = parseTransformation(tx);
  if (!r.ok) throw new Error(r.message);
  return r.steps;
};
const ops = (tx: string, named?: Record<string, string>) => toRenderOps(parse(tx), { named });

describe('parseTransformation', () => {
  it('splits keys from values that contain dashes', () => {
    expect(parse('ar-4-3,w-100:e-usm-2-2-0.8-0.024')).toEqual([
      [{ kind: 'param', key: 'ar', value: '4-3' }, { kind: 'param', key: 'w', value: '100' }],
      [{ kind: 'param', key: 'e-usm', value: '2-2-0.8-0.024' }],
    ]);
    expect(parse('e-shadow-bl-15_st-40_x-10_y-N5,e-sharpen,orig')).toEqual([
      [
        { kind: 'param', key: 'e-shadow', value: 'bl-15_st-40_x-10_y-N5' },
        { kind: 'param', key: 'e-sharpen', value: null },
        { kind: 'param', key: 'orig', value: null },
      ],
    ]);
  });

  it('keeps layer groups nested, including chained steps inside', () => {
    expect(parse('l-text,i-Hello,l-end')).toEqual([[{ kind: 'layer', layerType: 'text', steps: [[{ kind: 'param', key: 'i', value: 'Hello' }]] }]]);
    const steps = parse('w-300,l-image,i-logo.png,w-50:rt-90,l-end,h-10:bl-5');
    expect(steps).toHaveLength(2);
    expect(steps[0]?.[1]).toEqual({
      kind: 'layer',
      layerType: 'image',
      steps: [[{ kind: 'param', key: 'i', value: 'logo.png' }, { kind: 'param', key: 'w', value: '50' }], [{ kind: 'param', key: 'rt', value: '90' }]],
    });
    expect(steps[0]?.[2]).toEqual({ kind: 'param', key: 'h', value: '10' });
  });

  it('accepts di- (no default image) and reads di paths', () => {
    expect(parse('di-,w-10')).toEqual([[{ kind: 'param', key: 'di', value: '' }, { kind: 'param', key: 'w', value: '10' }]]);
    expect(defaultImageOf(parse('di-,w-10'))).toBeNull();
    expect(defaultImageOf(parse('w-10:di-folder@@default.png'))).toBe('/folder/default.png');
    expect(defaultImageOf(parse('di-a.png:di-'))).toBeNull();
    expect(ops('di-,w-10')).toMatchObject({ ok: true, unsupported: [] });
  });

  it('reads ar-4:3 as one value, not a new step', () => {
    expect(parse('ar-4:3,w-400')).toEqual([[{ kind: 'param', key: 'ar', value: '4:3' }, { kind: 'param', key: 'w', value: '400' }]]);
    expect(parse('w-400,ar-16:9:rt-90')).toEqual([
      [{ kind: 'param', key: 'w', value: '400' }, { kind: 'param', key: 'ar', value: '16:9' }],
      [{ kind: 'param', key: 'rt', value: '90' }],
    ]);
    expect(ops('w-400,ar-4:3')).toMatchObject({ ok: true, ops: [{ op: 'resize', width: { px: 400 }, aspectRatio: 4 / 3 }] });
    expect(ops('w-400,ar-1.5:1')).toMatchObject({ ok: true, ops: [{ op: 'resize', aspectRatio: 1.5 }] });
  });

  it('reads v6 boolean spellings of effects as the bare flag', () => {
    expect(ops('e-sharpen-true,e-contrast-true,e-grayscale-true')).toMatchObject({ ok: true, ops: [{ op: 'grayscale' }, { op: 'sharpen' }, { op: 'contrast' }] });
    expect(ops('e-contrast-1')).toMatchObject({ ok: true, ops: [{ op: 'contrast' }] });
  });

  const built: TransformStep[][] = [
    [{ width: 300, height: 200 }, { rotation: 90 }],
    [{ aspectRatio: '4-3', width: 100, grayscale: true, unsharpMask: '2-2-0.8-0.024' }],
    [{ defaultImage: '/a/b.png', raw: 'l-text,i-Hello,l-end' }, { original: true, trim: true }],
    [{ streamingResolutions: ['240', '360'], shadow: 'bl-15_st-40_x-10_y-N5' }],
  ];
  it.each(built)('round-trips built string %#', (...steps) => {
    const tx = buildTransformationString(steps);
    expect(stringifyTransformation(parse(tx))).toBe(tx);
  });

  it.each([
    ['', 'Empty transformation string.'],
    ['w-100,,h-5', 'Empty transformation parameter'],
    ['w-100:', 'Empty transformation step'],
    [',w-1', 'Empty transformation parameter'],
    ['w-100::h-5', 'Empty transformation step'],
    ['w-', 'Missing value for transformation parameter "w"'],
    ['e-', 'Effect name missing'],
    ['w=100', 'Invalid transformation parameter "w=100"'],
    ['l-text,i-Hi', 'Layer "l-text" is not closed with "l-end".'],
    ['w-1,l-end', '"l-end" has no matching "l-<type>".'],
    ['l-text,l-end', 'has no parameters'],
    ['l,i-x,l-end', 'Layer parameter needs a type'],
  ])('rejects %j', (tx, message) => {
    const r = parseTransformation(tx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});

describe('toRenderOps', () => {
  it('maps a resize step with crop, focus and dpr', () => {
    expect(ops('w-300,h-200,c-at_max,fo-top_left,dpr-2')).toEqual({
      ok: true,
      unsupported: [],
      ops: [{ op: 'resize', width: { px: 600 }, height: { px: 400 }, fit: 'inside', position: 'top_left', withoutEnlargement: true }],
    });
  });

  it('maps fractions, aspect ratio, pad with background', () => {
    const r = ops('w-0.5,ar-4-3,cm-pad_resize,bg-FF0000');
    expect(r).toEqual({
      ok: true,
      unsupported: [],
      ops: [{ op: 'resize', width: { fraction: 0.5 }, aspectRatio: 4 / 3, fit: 'contain', position: 'center', withoutEnlargement: false, background: '#ff0000' }],
    });
  });

  it('orders ops within a step and keeps steps in order', () => {
    const r = ops('q-80,f-webp,e-grayscale,rt-N90,w-100:fl-h_v,bl-10,e-sharpen-5,r-max,b-5_00FF00,t-true,bg-white');
    expect(r.ok && r.ops).toEqual([
      { op: 'resize', width: { px: 100 }, fit: 'cover', position: 'center', withoutEnlargement: false },
      { op: 'rotate', degrees: -90 },
      { op: 'grayscale' },
      { op: 'format', format: 'webp' },
      { op: 'quality', quality: 80 },
      { op: 'trim', threshold: 10 },
      { op: 'flip' },
      { op: 'flop' },
      { op: 'blur', sigma: 10 },
      { op: 'sharpen', amount: 5 },
      { op: 'round', radius: 'max' },
      { op: 'border', width: 5, color: '#00ff00' },
      { op: 'background', color: 'white' },
    ]);
  });

  it('maps fl-h to flop only and c-force to fill, orig to original', () => {
    expect(ops('fl-h').ok && (ops('fl-h') as { ops: unknown[] }).ops).toEqual([{ op: 'flop' }]);
    const r = ops('w-10,h-10,c-force:orig');
    expect(r.ok && r.ops).toEqual([
      { op: 'resize', width: { px: 10 }, height: { px: 10 }, fit: 'fill', position: 'center', withoutEnlargement: false },
      { op: 'original' },
    ]);
  });

  it('lists unsupported keys and layers without failing', () => {
    expect(ops('w-10,e-bgremove,l-text,i-Hi,l-end:n-unknown,e-bgremove')).toMatchObject({ ok: true, unsupported: ['e-bgremove', 'l', 'n'] });
  });

  it('expands named transformations', () => {
    const r = ops('n-ik_ml_thumbnail', { ik_ml_thumbnail: 'w-100,h-100,c-at_max' });
    expect(r).toMatchObject({ ok: true, unsupported: [], ops: [{ op: 'resize', fit: 'inside' }] });
  });

  it.each([
    ['w-abc', 'Invalid value "abc" for transformation parameter "w".'],
    ['w-10,c-squish', '"c"'],
    ['q-101', '"q"'],
    ['b-5', '"b"'],
    ['fl-x', '"fl"'],
    ['ar-4,w-10', '"ar"'],
    ['bg-#12', '"bg"'],
    ['f-bmpx', '"f"'],
    ['w-100:300', 'Invalid value "100:300"'],
    ['w-10,ar-4:0', '"ar"'],
  ])('rejects bad value %s', (tx, message) => {
    const r = ops(tx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
});
