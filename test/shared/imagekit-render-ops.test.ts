/**
 * The image render plan (`toRenderOps`) at its edges: every bound of every numeric parameter (the
 * last value accepted and the first refused), the switches that turn an op off, dpr scaling,
 * where the background goes, and named transformations. The common paths are in
 * imagekit-transform-parser.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { defaultImageOf, parseTransformation, toRenderOps, type RenderOp } from '../../src-shared/imagekit/transform-parser.js';

const parse = (tx: string) => {
  const r = parseTransformation(tx);
  if (!r.ok) throw new Error(r.message);
  return r.steps;
};
const result = (tx: string, named?: Record<string, string>) => toRenderOps(parse(tx), named ? { named } : undefined);
const opsOf = (tx: string, named?: Record<string, string>): RenderOp[] => {
  const r = result(tx, named);
  if (!r.ok) throw new Error(r.message);
  return r.ops;
};
const refusal = (tx: string): string => {
  const r = result(tx);
  return r.ok ? 'OK' : r.message;
};
const invalid = (key: string, value: string): string => `Invalid value "${value}" for transformation parameter "${key}".`;

describe('toRenderOps bounds', () => {
  // [accepted, its op, [refused, the value the message names] below and above the range]
  it.each<[string, Partial<RenderOp>, [string, string], [string, string]]>([
    ['w-20000', { op: 'resize', width: { px: 20000 } }, ['w-0', '0'], ['w-20001', '20001']],
    ['bl-1', { op: 'blur', sigma: 1 }, ['bl-0', '0'], ['bl-101', '101']],
    ['bl-100', { op: 'blur', sigma: 100 }, ['bl-0.5', '0.5'], ['bl-100.5', '100.5']],
    ['q-1', { op: 'quality', quality: 1 }, ['q-0', '0'], ['q-101', '101']],
    ['q-100', { op: 'quality', quality: 100 }, ['q-0.9', '0.9'], ['q-100.1', '100.1']],
    ['t-1', { op: 'trim', threshold: 1 }, ['t-0', '0'], ['t-100', '100']],
    ['t-99', { op: 'trim', threshold: 99 }, ['t-0.5', '0.5'], ['t-99.5', '99.5']],
    // A negative angle is checked without its N, so the message names the digits.
    ['rt-360', { op: 'rotate', degrees: 360 }, ['rt-N361', '361'], ['rt-361', '361']],
    ['rt-0', { op: 'rotate', degrees: 0 }, ['rt-Nx', 'x'], ['rt-360.5', '360.5']],
    ['e-sharpen-0', { op: 'sharpen', amount: 0 }, ['e-sharpen-N1', 'N1'], ['e-sharpen-101', '101']],
    ['e-sharpen-100', { op: 'sharpen', amount: 100 }, ['e-sharpen-x', 'x'], ['e-sharpen-100.5', '100.5']],
    ['r-0', { op: 'round', radius: 0 }, ['r-N1', 'N1'], ['r-100001', '100001']],
    ['r-100000', { op: 'round', radius: 100000 }, ['r-min', 'min'], ['r-100000.5', '100000.5']],
    // The border's width is checked on its own, so the message names it without the colour.
    ['b-10000_red', { op: 'border', width: 10000, color: 'red' }, ['b-N1_red', 'N1_red'], ['b-10001_red', '10001']],
  ])('%s is the edge', (ok, op, below, above) => {
    expect(opsOf(ok)).toMatchObject([op]);
    for (const [tx, value] of [below, above]) {
      const param = parse(tx)[0]?.[0];
      if (param?.kind !== 'param') throw new Error(tx);
      expect(refusal(tx)).toBe(invalid(param.key, value));
    }
  });

  it('writes a negative rotation as N<degrees>, up to -360', () => {
    expect(opsOf('rt-N360')).toEqual([{ op: 'rotate', degrees: -360 }]);
    expect(opsOf('rt-auto')).toEqual([{ op: 'rotate', degrees: 'auto' }]);
  });

  it('reads a fractional size below 1 and rounds pixels', () => {
    expect(opsOf('w-0.001')).toMatchObject([{ width: { fraction: 0.001 } }]);
    expect(opsOf('w-1')).toMatchObject([{ width: { px: 1 } }]);
    expect(opsOf('h-1.6')).toMatchObject([{ height: { px: 2 } }]);
  });

  it('scales pixel sizes by dpr (0.1 to 5), never fractions; dpr-auto and dpr-1 leave them', () => {
    expect(opsOf('w-100,h-0.5,dpr-1.5')).toMatchObject([{ width: { px: 150 }, height: { fraction: 0.5 } }]);
    expect(opsOf('w-100,dpr-5')).toMatchObject([{ width: { px: 500 } }]);
    expect(opsOf('w-100,dpr-0.1')).toMatchObject([{ width: { px: 10 } }]);
    expect(opsOf('w-100,dpr-auto')).toMatchObject([{ width: { px: 100 } }]);
    expect(opsOf('w-100,dpr-1')).toMatchObject([{ width: { px: 100 } }]);
    expect(refusal('w-100,dpr-5.5')).toBe(invalid('dpr', '5.5'));
    expect(refusal('w-100,dpr-0.05')).toBe(invalid('dpr', '0.05'));
    // dpr alone has nothing to scale: no op at all.
    expect(opsOf('dpr-2')).toEqual([]);
  });

  it('places cm-extract regions by corner or centre, within 0 to 1e6', () => {
    expect(opsOf('w-10,h-10,cm-extract,x-5,y-6')).toEqual([
      { op: 'resize', width: { px: 10 }, height: { px: 10 }, fit: 'extract', position: 'center', withoutEnlargement: false, x: 5, y: 6 },
    ]);
    expect(opsOf('w-10,cm-extract,xc-1000000,yc-0')).toMatchObject([{ xCenter: 1000000, yCenter: 0 }]);
    expect(refusal('w-10,cm-extract,x-1000001')).toBe(invalid('x', '1000001'));
    expect(refusal('w-10,cm-extract,y-N1')).toBe(invalid('y', 'N1'));
    expect(refusal('w-10,cm-extract,xc-a')).toBe(invalid('xc', 'a'));
    expect(refusal('w-10,cm-extract,yc-2000000')).toBe(invalid('yc', '2000000'));
  });
});

describe('toRenderOps switches and order', () => {
  it('turns off orig, t, e-grayscale and e-contrast written as false', () => {
    expect(opsOf('orig-false,t-false,e-grayscale-false,e-contrast-false')).toEqual([]);
    expect(opsOf('orig-true')).toEqual([{ op: 'original' }]);
    expect(opsOf('t')).toEqual([{ op: 'trim', threshold: 10 }]);
  });

  it('reads fo-auto and fo-face as attention, and refuses an unknown focus', () => {
    expect(opsOf('w-10,fo-auto')).toMatchObject([{ position: 'attention' }]);
    expect(opsOf('w-10,fo-face')).toMatchObject([{ position: 'attention' }]);
    expect(opsOf('w-10,fo-bottom')).toMatchObject([{ position: 'bottom' }]);
    expect(refusal('w-10,fo-middle')).toBe(invalid('fo', 'middle'));
  });

  it('reads the crop modes: pad_extract keeps the size, the pad takes the background', () => {
    expect(opsOf('w-10,cm-pad_extract')).toEqual([
      { op: 'resize', width: { px: 10 }, fit: 'contain', position: 'center', withoutEnlargement: true, background: '#ffffff' },
    ]);
    expect(opsOf('w-10,c-at_least')).toMatchObject([{ fit: 'outside', withoutEnlargement: false }]);
    expect(opsOf('w-10,c-at_max_enlarge')).toMatchObject([{ fit: 'inside', withoutEnlargement: false }]);
    expect(refusal('w-10,cm-squash')).toBe(invalid('cm', 'squash'));
    // Object.prototype names are unknown values, refused in words (they used to throw a TypeError).
    expect(refusal('w-10,c-constructor')).toBe(invalid('c', 'constructor'));
    expect(refusal('w-10,cm-__proto__')).toBe(invalid('cm', '__proto__'));
    // A pad consumes the background, so no separate background op follows.
    expect(opsOf('w-10,cm-pad_resize,bg-00000080')).toEqual([
      { op: 'resize', width: { px: 10 }, fit: 'contain', position: 'center', withoutEnlargement: false, background: '#00000080' },
    ]);
    // Without a pad the background is its own op, after the shape ops.
    expect(opsOf('w-10,bg-ABCDEF,r-5')).toEqual([
      { op: 'resize', width: { px: 10 }, fit: 'cover', position: 'center', withoutEnlargement: false },
      { op: 'round', radius: 5 },
      { op: 'background', color: '#abcdef' },
    ]);
  });

  it('needs a width or height to resize: an aspect ratio alone does nothing', () => {
    expect(opsOf('ar-4-3')).toEqual([]);
    expect(opsOf('h-90,ar-3-2')).toMatchObject([{ height: { px: 90 }, aspectRatio: 1.5 }]);
    expect(refusal('h-90,ar-0-2')).toBe(invalid('ar', '0-2'));
  });

  it('flips by fl-v, fl-v_h; refuses other values', () => {
    expect(opsOf('fl-v')).toEqual([{ op: 'flip' }]);
    expect(opsOf('fl-v_h')).toEqual([{ op: 'flip' }, { op: 'flop' }]);
    expect(refusal('fl')).toBe(invalid('fl', ''));
  });

  it('accepts every output format it knows and auto/orig', () => {
    for (const f of ['auto', 'orig', 'jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'heif']) {
      expect(opsOf(`f-${f}`)).toEqual([{ op: 'format', format: f }]);
    }
  });

  it('reads colours as 6 or 8 hex digits or a name; refuses the rest', () => {
    expect(opsOf('bg-AABBCCDD')).toEqual([{ op: 'background', color: '#aabbccdd' }]);
    expect(opsOf('b-2_Navy')).toEqual([{ op: 'border', width: 2, color: 'navy' }]);
    expect(refusal('bg-ABCDEFA')).toBe(invalid('bg', 'ABCDEFA'));
    expect(refusal('bg-re')).toBe(invalid('bg', 're'));
    expect(refusal('b-2_')).toBe(invalid('b', '2_'));
    expect(refusal('b-x_red')).toBe(invalid('b', 'x_red'));
  });

  it('reports each unsupported key once, in first-seen order, across steps', () => {
    expect(result('e-bgremove,w-10:l-text,i-a,l-end:e-bgremove,z-2:z-3')).toMatchObject({ ok: true, unsupported: ['e-bgremove', 'l', 'z'] });
  });
});

describe('named transformations', () => {
  const named = { thumb: 'w-100,h-100,c-at_max:q-50', bad: 'w-' };

  it('expands a name into its steps, keeping the rest of the step after them', () => {
    expect(opsOf('n-thumb,bl-5', named)).toEqual([
      { op: 'resize', width: { px: 100 }, height: { px: 100 }, fit: 'inside', position: 'center', withoutEnlargement: true },
      { op: 'quality', quality: 50 },
      { op: 'blur', sigma: 5 },
    ]);
    expect(result('rt-90:n-thumb', named)).toMatchObject({ ok: true, unsupported: [] });
  });

  it('refuses a name whose transformation does not parse, saying which', () => {
    expect(result('n-bad', named)).toEqual({ ok: false, message: 'Named transformation "bad" is invalid: Missing value for transformation parameter "w".' });
  });

  it('leaves an unknown name (and a name without options) as unsupported', () => {
    expect(result('n-other,w-5', named)).toMatchObject({ ok: true, unsupported: ['n'], ops: [{ op: 'resize', width: { px: 5 } }] });
    expect(result('n-thumb')).toMatchObject({ ok: true, unsupported: ['n'] });
    expect(result('n-constructor', named)).toMatchObject({ ok: true, unsupported: ['n'] });
    expect(result('n-tostring,w-1', named)).toMatchObject({ ok: true, unsupported: ['n'] });
  });
});

describe('defaultImageOf', () => {
  it('takes the last di outside layers and ignores one inside a layer', () => {
    expect(defaultImageOf(parse('di-a.png:w-10,di-b@@c.png'))).toBe('/b/c.png');
    expect(defaultImageOf(parse('l-image,i-x.png,di-in.png,l-end'))).toBeNull();
    expect(defaultImageOf(parse('w-10'))).toBeNull();
  });
});

describe('toRenderOps: what counts as a number, a ratio, a colour', () => {
  it('takes decimals, refuses exponents, signs and a trailing dot', () => {
    expect(opsOf('bl-10.25')).toEqual([{ op: 'blur', sigma: 10.25 }]);
    for (const [tx, value] of [['q-1e1', '1e1'], ['q-5.', '5.'], ['bl-+5', '+5'], ['bl-.5', '.5']]) expect(refusal(tx ?? '')).toBe(invalid(tx?.split('-')[0] ?? '', value ?? ''));
  });

  it('reads ratios with decimals on both sides, nothing around them', () => {
    expect(opsOf('w-10,ar-16.25-9.75')).toMatchObject([{ aspectRatio: 16.25 / 9.75 }]);
    expect(opsOf('w-10,ar-16:10')).toMatchObject([{ aspectRatio: 1.6 }]);
    for (const ar of ['x4-3', '4-3x', '4-3-2', '4.-3']) expect(refusal(`w-10,ar-${ar}`)).toBe(invalid('ar', ar));
  });

  it('takes a colour name only when it is all letters, 3 to 20, not all hex letters', () => {
    expect(opsOf('bg-beige')).toEqual([{ op: 'background', color: 'beige' }]);
    for (const bg of ['1red', 'red1', 'fade', 'ab']) expect(refusal(`bg-${bg}`)).toBe(invalid('bg', bg));
  });

  it('names the parameter and what was written in every refusal', () => {
    expect(refusal('bg')).toBe(invalid('bg', ''));
    expect(refusal('rt')).toBe(invalid('rt', ''));
    expect(refusal('h-0')).toBe(invalid('h', '0'));
    expect(refusal('b-5_zz')).toBe(invalid('b', 'zz'));
    expect(refusal('f-bmpx')).toBe(invalid('f', 'bmpx'));
  });

  it('writes no field it has no value for', () => {
    expect(opsOf('w-10')).toStrictEqual([{ op: 'resize', width: { px: 10 }, fit: 'cover', position: 'center', withoutEnlargement: false }]);
    expect(opsOf('e-sharpen')).toStrictEqual([{ op: 'sharpen' }]);
  });

  it('finds a named transformation anywhere in its step', () => {
    expect(opsOf('bl-5,n-thumb', { thumb: 'q-50' })).toEqual([{ op: 'quality', quality: 50 }, { op: 'blur', sigma: 5 }]);
  });

  it('reads the default image from di only, and a bare di as none', () => {
    expect(defaultImageOf(parse('di-a.png,w-10'))).toBe('/a.png');
    expect(defaultImageOf(parse('di-a.png:w-1,di'))).toBeNull();
  });
});
