/**
 * Transformation strings both ways at their edges: the builder's value rules per kind of key (v7
 * flags, optional-value effects, trim, raw, v6-only keys) and its refusal messages; the parser's
 * key rules, the `:<number>` continuation, stray separators and nested layers; the key table.
 */
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { isV6OnlyKey, KNOWN_URL_PARAMS, LAYER_PARAMS, urlParamFor } from '../../src-shared/imagekit/transform-keys.js';
import { parseTransformation, stringifyTransformation } from '../../src-shared/imagekit/transform-parser.js';
import { buildTransformationString, type TransformStep } from '../../src-shared/imagekit/url-builder.js';

const build = (...steps: Record<string, unknown>[]): string => buildTransformationString(steps as TransformStep[]);

describe('buildTransformationString value rules', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a flag written "-"', { grayscale: '-' }, 'e-grayscale'],
    ['a flag written "false" is off', { grayscale: 'false', width: 1 }, 'w-1'],
    ['a flag written 1 is off (v7)', { aiUpscale: 1, width: 1 }, 'w-1'],
    ['every v7 flag', { grayscale: true, contrastStretch: true, aiRemoveBackgroundExternal: true, aiRemoveBackground: true, aiUpscale: true, aiRetouch: true, aiVariation: true }, 'e-grayscale,e-contrast,e-removedotbg,e-bgremove,e-upscale,e-retouch,e-genvar'],
    ['optional-value effects bare on true, "true", blank', { sharpen: 'true', shadow: '  ', gradient: true, unsharpMask: '', aiDropShadow: true }, 'e-sharpen,e-shadow,e-gradient,e-usm,e-dropshadow'],
    ['optional-value effect with a value', { gradient: 'ld-45', aiDropShadow: 'az-45' }, 'e-gradient-ld-45,e-dropshadow-az-45'],
    ['an optional-value effect written false keeps it', { sharpen: false }, 'e-sharpen-false'],
    ['trim blank or true is t-true', { trim: ' ' }, 't-true'],
    ['trim "true" is t-true', { trim: 'true' }, 't-true'],
    ['trim false is written', { trim: false }, 't-false'],
    ['"-" on a plain key gives the bare key', { original: '-', width: '-' }, 'orig,w'],
    ['raw empty is dropped, a number is text', { raw: '', width: 1 }, 'w-1'],
    ['raw number', { raw: 5 }, '5'],
    ['raw boolean', { raw: true }, 'true'],
    ['v6 keys in any case', { EFFECTGRAY: '-', EffectUSM: '1-1-1-1' }, 'e-grayscale,e-usm-1-1-1-1'],
    ['v6 array value', { effectShadow: ['bl-1', 'st-2'] }, 'e-shadow-bl-1_st-2'],
    ['v6 false is written', { effectGradient: false }, 'e-gradient-false'],
    ['fontFamily keeps inner slashes as @@', { fontFamily: 'a/b/c.ttf/' }, 'ff-a@@b@@c.ttf'],
    ['a plain key keeps its slashes', { named: '/a/b' }, 'n-/a/b'],
    ['numbers as JavaScript writes them', { quality: 0, width: 0.5, x: -3, height: 1e21 }, 'q-0,w-0.5,x--3,h-1e+21'],
    ['overlay undefined is nothing', { overlay: undefined, width: 2 }, 'w-2'],
    // An Object.prototype name is an unknown key like any other, not the inherited function.
    ['a prototype name passes through', { toString: 'x', constructor: 1 }, 'toString-x,constructor-1'],
  ])('%s', (_name, step, expected) => {
    expect(build(step)).toBe(expected);
  });

  it('joins parameters with , and steps with :, dropping steps that write nothing', () => {
    expect(build({ width: 1, height: 2 }, {}, { grayscale: false }, { rotation: 90 }, { raw: '' })).toBe('w-1,h-2:rt-90');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an object', { width: { px: 1 } }, 'The transformation option "width" cannot be written into a URL (got object).'],
    ['null inside a list', { streamingResolutions: ['240', null] }, 'The transformation option "streamingResolutions" cannot be written into a URL (got null).'],
    ['a nested list', { streamingResolutions: [['240']] }, 'The transformation option "streamingResolutions" cannot be written into a URL (got a nested array).'],
    ['a function as raw', { raw: () => 'w-1' }, 'The transformation option "raw" cannot be written into a URL (got function).'],
    ['a symbol on a v6 key', { effectGray: Symbol('x') }, 'The transformation option "effectGray" cannot be written into a URL (got symbol).'],
    ['NaN', { width: Number.NaN }, 'The transformation option "width" must be a finite number, got NaN.'],
    ['-Infinity in a list', { streamingResolutions: [240, Number.NEGATIVE_INFINITY] }, 'The transformation option "streamingResolutions" must be a finite number, got -Infinity.'],
    ['a bigint', { width: 10n }, 'The transformation option "width" cannot be written into a URL (got bigint).'],
  ])('refuses %s in words', (_name, step, message) => {
    let thrown: unknown;
    try {
      build(step);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).message).toBe(message);
    expect((thrown as FerryError).error.details).toEqual({ key: Object.keys(step)[0] });
  });
});

describe('transform keys', () => {
  it('resolves exact names, then any case, and passes unknown keys through', () => {
    expect(urlParamFor('width')).toBe('w');
    expect(urlParamFor('WIDTH')).toBe('w');
    expect(urlParamFor('airemovebackgroundexternal')).toBe('e-removedotbg');
    expect(urlParamFor('fontColor')).toBe('co');
    expect(urlParamFor('color')).toBe('co');
    expect(urlParamFor('e-custom')).toBe('e-custom');
    expect(urlParamFor('toString')).toBe('toString');
  });

  it('knows which keys only v6 has', () => {
    for (const k of ['rotate', 'effectSharpen', 'EFFECTUSM', 'effectContrast', 'effectGray', 'effectShadow', 'effectGradient']) expect(isV6OnlyKey(k), k).toBe(true);
    for (const k of ['rotation', 'sharpen', 'unsharpMask', 'grayscale', 'shadow', 'gradient', 'contrastStretch', 'width']) expect(isV6OnlyKey(k), k).toBe(false);
  });

  it('counts layer parameters and l among the known URL parameters', () => {
    for (const p of [...LAYER_PARAMS, 'l', 'w', 'e-usm', 'orig', 'e-changebg', 'fol', 'fsh']) expect(KNOWN_URL_PARAMS.has(p), p).toBe(true);
    expect(LAYER_PARAMS.has('w')).toBe(false);
    expect(KNOWN_URL_PARAMS.has('width')).toBe(false);
  });
});

describe('parseTransformation edges', () => {
  const parse = (tx: string) => parseTransformation(tx);

  it('lower-cases keys, effect names included, and keeps values as written', () => {
    expect(parse('W-Abc,E-Sharpen-X,DI-')).toEqual({
      ok: true,
      steps: [[{ kind: 'param', key: 'w', value: 'Abc' }, { kind: 'param', key: 'e-sharpen', value: 'X' }, { kind: 'param', key: 'di', value: '' }]],
    });
  });

  it('continues a value only after :, only with a number, only when there is a value to continue', () => {
    expect(parse('ar-4:3.5')).toMatchObject({ ok: true, steps: [[{ key: 'ar', value: '4:3.5' }]] });
    expect(parse('w-1:2x')).toEqual({ ok: false, message: 'Invalid transformation parameter "2x".' });
    expect(parse('orig:5')).toEqual({ ok: false, message: 'Invalid transformation parameter "5".' });
    expect(parse('ar-4,3')).toEqual({ ok: false, message: 'Invalid transformation parameter "3".' });
    expect(parse('ar-4:3.')).toEqual({ ok: false, message: 'Invalid transformation parameter "3.".' });
  });

  it.each([
    ['e-1x', 'Invalid transformation parameter "e-1x".'],
    ['_w-1', 'Invalid transformation parameter "_w-1".'],
    ['w!-1', 'Invalid transformation parameter "w!-1".'],
    ['e--1', 'Effect name missing in "e--1".'],
    ['w-1,', 'Empty transformation parameter (check for a stray ",").'],
    [':w-1', 'Empty transformation step (check for a stray ":").'],
    ['w-1:,h-2', 'Empty transformation step (check for a stray ":").'],
    ['l-image,i-a:l-end', 'Layer "l-image" has no parameters before "l-end".'],
    ['l-image,i-a,l-text,i-b,l-end', 'Layer "l-image" is not closed with "l-end".'],
    ['l-image,i-a,l-end,l-end', '"l-end" has no matching "l-<type>".'],
  ])('%j → %s', (tx, message) => {
    expect(parse(tx)).toEqual({ ok: false, message });
  });

  it('nests layers in layers and writes them back the same', () => {
    const tx = 'w-10,l-image,i-a.png,w-5,l-text,i-b,fs-3,l-end:rt-90,l-end:h-2';
    const r = parse(tx);
    expect(r).toMatchObject({
      ok: true,
      steps: [
        [
          { key: 'w' },
          {
            kind: 'layer',
            layerType: 'image',
            steps: [[{ key: 'i' }, { key: 'w' }, { kind: 'layer', layerType: 'text', steps: [[{ key: 'i' }, { key: 'fs' }]] }], [{ key: 'rt', value: '90' }]],
          },
        ],
        [{ key: 'h', value: '2' }],
      ],
    });
    if (r.ok) expect(stringifyTransformation(r.steps)).toBe(tx);
  });
});

describe('parseTransformation: more edges', () => {
  it('calls a blank string empty', () => {
    expect(parseTransformation('   ')).toEqual({ ok: false, message: 'Empty transformation string.' });
  });

  it('continues a ratio with decimals, never a layer', () => {
    expect(parseTransformation('ar-4:3.25')).toMatchObject({ ok: true, steps: [[{ key: 'ar', value: '4:3.25' }]] });
    expect(parseTransformation('l-text,i-a,l-end:5')).toEqual({ ok: false, message: 'Invalid transformation parameter "5".' });
    expect(parseTransformation('l-text:5,l-end')).toEqual({ ok: false, message: 'Empty transformation step (check for a stray ":").' });
  });
});
