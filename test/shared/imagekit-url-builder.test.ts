import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { buildTransformationString, buildUrl, normaliseEndpoint, type TransformStep } from '../../src-shared/imagekit/url-builder.js';
import { urlParamFor } from '../../src-shared/imagekit/transform-keys.js';

const EP = 'https://ik.imagekit.io/demo';

describe('buildTransformationString', () => {
  it.each([
    ['single step', [{ width: 300, height: 200 }], 'w-300,h-200'],
    ['chained steps', [{ height: 300, width: 400 }, { rotation: 90 }], 'h-300,w-400:rt-90'],
    ['v6 alias rotate', [{ rotate: 90 }], 'rt-90'],
    ['aspect ratio with dash', [{ aspectRatio: '4-3', width: 100 }], 'ar-4-3,w-100'],
    ['undefined and null skipped', [{ width: undefined, height: null, quality: 80 }], 'q-80'],
    ['empty step dropped', [{ width: undefined }, { blur: 10 }], 'bl-10'],
    ['dash value gives bare key', [{ effectSharpen: '-' }, { original: '-' }], 'e-sharpen:orig'],
    ['v7 flag true', [{ grayscale: true, contrastStretch: 'true' }], 'e-grayscale,e-contrast'],
    ['v7 flag false dropped', [{ grayscale: false, width: 10 }], 'w-10'],
    ['v6 flag alias', [{ effectGray: '-' }], 'e-grayscale'],
    ['optional-value effect bare', [{ sharpen: true, shadow: '' }], 'e-sharpen,e-shadow'],
    ['optional-value effect with value', [{ sharpen: 10, unsharpMask: '2-2-0.8-0.024' }], 'e-sharpen-10,e-usm-2-2-0.8-0.024'],
    ['v6 effectUSM alias', [{ effectUSM: '2-2-0.8-0.024' }], 'e-usm-2-2-0.8-0.024'],
    ['defaultImage slashes', [{ defaultImage: '/folder/sub/img.png' }], 'di-folder@@sub@@img.png'],
    ['defaultImage trailing slash', [{ defaultImage: 'a/b/' }], 'di-a@@b'],
    ['fontFamily path', [{ fontFamily: '/fonts/my.ttf' }], 'ff-fonts@@my.ttf'],
    ['streamingResolutions array', [{ streamingResolutions: ['240', '360', 1080] }], 'sr-240_360_1080'],
    ['raw verbatim', [{ raw: 'l-text,i-Hello,l-end', width: 5 }], 'l-text,i-Hello,l-end,w-5'],
    ['unknown key passes through', [{ rndm_trnsf: 'abcd', 'e-sharpen': '-' }], 'rndm_trnsf-abcd,e-sharpen'],
    ['trim true', [{ trim: true }], 't-true'],
    ['trim number', [{ trim: 20 }], 't-20'],
    ['boolean on non-flag', [{ progressive: true, lossless: false }], 'pr-true,lo-false'],
    ['case-insensitive key', [{ Width: 50 }], 'w-50'],
    ['ai keys', [{ aiRemoveBackground: true, aiEdit: 'prompt-car' }], 'e-bgremove,e-edit-prompt-car'],
    // Both SDKs write `di-` for an empty default image (v7: ['di', ''].join('-')).
    ['defaultImage empty', [{ defaultImage: '', width: 10 }], 'di-,w-10'],
    ['defaultImage only slashes', [{ defaultImage: '/' }], 'di-'],
    // v6-only keys keep v6's value rule: `key-String(value)`, never dropped.
    ['v6 effectContrast value', [{ effectContrast: '1' }], 'e-contrast-1'],
    ['v6 effectGray boolean', [{ effectGray: true }], 'e-grayscale-true'],
    ['v6 effectSharpen value', [{ effectSharpen: 5 }], 'e-sharpen-5'],
    ['v6 defaultImage via alias rule', [{ effectContrast: '-', defaultImage: 'x/y.png' }], 'e-contrast,di-x@@y.png'],
    ['v7 contrastStretch "1" dropped like v7', [{ contrastStretch: '1', width: 1 }], 'w-1'],
    ['empty value on a plain key', [{ width: '' }], 'w-'],
  ])('%s', (_name, steps, expected) => {
    expect(buildTransformationString(steps)).toBe(expected);
  });

  it.each([
    ['an object', { width: { px: 10 } }],
    ['a nested array', { streamingResolutions: [['240']] }],
    ['NaN', { height: Number.NaN }],
    ['Infinity', { quality: Number.POSITIVE_INFINITY }],
    ['a function', { raw: () => 'x' }],
    ['an object on a v6 key', { effectContrast: {} }],
    ['an object as overlay position', { overlay: { type: 'text', text: 'hi', position: { x: {} } } }],
  ])('refuses %s with a typed bad_request naming the key', (_name, step) => {
    let thrown: unknown;
    try {
      buildTransformationString([step as unknown as TransformStep]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).error.code).toBe('bad_request');
    expect((thrown as FerryError).message).not.toContain('[object Object]');
  });

  it('returns empty for no steps', () => {
    expect(buildTransformationString(undefined)).toBe('');
    expect(buildTransformationString([])).toBe('');
  });

  it('maps every documented v6 alias to the same param as its v7 name', () => {
    const pairs: [string, string][] = [
      ['effectSharpen', 'sharpen'], ['effectUSM', 'unsharpMask'], ['effectContrast', 'contrastStretch'],
      ['effectGray', 'grayscale'], ['effectShadow', 'shadow'], ['effectGradient', 'gradient'], ['rotate', 'rotation'],
    ];
    for (const [v6, v7] of pairs) expect(urlParamFor(v6)).toBe(urlParamFor(v7));
  });
});

describe('buildUrl', () => {
  it.each([
    ['path, no transformation', { path: '/a.jpg' }, `${EP}/a.jpg`],
    ['path position', { path: '/a.jpg', transformation: [{ width: 300 }], transformationPosition: 'path' as const }, `${EP}/tr:w-300/a.jpg`],
    ['query position is the default', { path: '/a.jpg', transformation: [{ width: 300 }, { rotation: 90 }] }, `${EP}/a.jpg?tr=w-300:rt-90`],
    ['duplicate slashes collapse', { path: '///test_path.jpg', transformation: [{ width: 1 }], transformationPosition: 'path' as const }, `${EP}/tr:w-1/test_path.jpg`],
    ['path without leading slash', { path: 'test_path.jpg' }, `${EP}/test_path.jpg`],
    ['spaces and non-ASCII encoded', { path: '/a b/é.jpg' }, `${EP}/a%20b/%C3%A9.jpg`],
    ['question mark in path encoded', { path: '/what?.jpg' }, `${EP}/what%3F.jpg`],
    ['literal-safe chars kept', { path: "/it's+&:,@.jpg" }, `${EP}/it's+&:,@.jpg`],
    ['query params form-encoded, tr last', { path: '/a.jpg', queryParameters: { v: 'x y', n: 2 }, transformation: [{ width: 10 }] }, `${EP}/a.jpg?v=x+y&n=2&tr=w-10`],
    ['src forces query position', { src: 'https://cdn.example.com/x/y.png?ver=1', transformation: [{ height: 5 }], transformationPosition: 'path' as const }, 'https://cdn.example.com/x/y.png?ver=1&tr=h-5'],
    ['path wins over src', { path: '/p.jpg', src: 'https://other.example/s.jpg' }, `${EP}/p.jpg`],
    ['relative src acts like path', { src: 'rel/q.jpg' }, `${EP}/rel/q.jpg`],
    ['root path', { path: '/' }, `${EP}/`],
    ['tr value escapes space, & and +', { path: '/a.jpg', transformation: [{ raw: 'e-edit-prompt-make it a&b+c' }] }, `${EP}/a.jpg?tr=e-edit-prompt-make%20it%20a%26b%2Bc`],
    ['di with slashes in query', { path: '/a.jpg', transformation: [{ defaultImage: '/d/e.png' }] }, `${EP}/a.jpg?tr=di-d@@e.png`],
    ['empty di in query', { path: '/a.jpg', transformation: [{ defaultImage: '' }] }, `${EP}/a.jpg?tr=di-`],
    // A `/` (or `..`) inside a path-position transformation belongs to it; the file path is normalised alone.
    ['slash inside tr: segment kept', { path: '/a.jpg', transformation: [{ raw: 'l-text,i-a/b,l-end' }], transformationPosition: 'path' as const }, `${EP}/tr:l-text,i-a/b,l-end/a.jpg`],
    ['dot-dot in the file path stays under the endpoint', { path: '/../../x/./a.jpg' }, `${EP}/x/a.jpg`],
  ])('%s', (_name, opts, expected) => {
    expect(buildUrl({ urlEndpoint: EP, ...opts })).toBe(expected);
  });

  it('refuses a query parameter value without a URL form', () => {
    expect(() => buildUrl({ urlEndpoint: EP, path: '/a.jpg', queryParameters: { v: {} as unknown as string } })).toThrow(FerryError);
  });

  it('endpoint trailing slash and case are normalised', () => {
    expect(buildUrl({ urlEndpoint: 'HTTPS://IK.ImageKit.io:443/demo/', path: '/a.jpg' })).toBe(`${EP}/a.jpg`);
    expect(normaliseEndpoint('https://ik.imagekit.io/demo///')).toBe(EP);
  });

  it('keeps an endpoint path prefix and endpoint query', () => {
    expect(buildUrl({ urlEndpoint: 'https://img.example.com/pre/fix?acct=1', path: '/a.jpg', queryParameters: { b: 2 } })).toBe(
      'https://img.example.com/pre/fix/a.jpg?acct=1&b=2',
    );
  });

  it('returns empty string without path/src or with a bad endpoint', () => {
    expect(buildUrl({ urlEndpoint: EP })).toBe('');
    expect(buildUrl({ urlEndpoint: 'not a url', path: '/a.jpg' })).toBe('');
    expect(buildUrl({ urlEndpoint: 'ftp://x/y', path: '/a.jpg' })).toBe('');
  });

  it('matches what WHATWG URL produces for the path', () => {
    const path = '/dir name/ü`{x}"<y>#z.jpg';
    const expected = new URL(`${EP}/placeholder`);
    expected.pathname = `/demo${path}`;
    expect(buildUrl({ urlEndpoint: EP, path })).toBe(expected.href);
  });
});
