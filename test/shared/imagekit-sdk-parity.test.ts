/**
 * Our transformation builder against the official SDKs' own output for the same options: v7
 * (`@imagekit/nodejs` helper.buildTransformationString, overlays included) for v7 keys, v6
 * (`imagekit` url()) for the keys only v6 knows. Facts, not copied code: both SDKs run here.
 */
import ImageKitV7 from '@imagekit/nodejs';
import ImageKitV6 from 'imagekit';
import { describe, expect, it } from 'vitest';
import { buildTransformationString, buildUrl, type TransformStep } from '../../src-shared/imagekit/url-builder.js';

const v7 = new ImageKitV7({ privateKey: 'private_parity' });
const v6 = new ImageKitV6({ publicKey: 'p', privateKey: 'private_parity', urlEndpoint: 'https://ik.imagekit.io/demo' });
const v7Tx = (steps: TransformStep[]): string => v7.helper.buildTransformationString(steps as Parameters<typeof v7.helper.buildTransformationString>[0]);
/** v6 has no public string builder: read `tr` back from a query-position URL. */
const v6Tx = (steps: TransformStep[]): string =>
  new URL(v6.url({ path: '/a.jpg', transformation: steps as never, transformationPosition: 'query' })).searchParams.get('tr') ?? '';

describe('same <TX> as @imagekit/nodejs v7', () => {
  it.each<[string, TransformStep[]]>([
    ['empty defaultImage', [{ defaultImage: '', width: 300 }]],
    ['defaultImage path', [{ defaultImage: '/folder/default.png' }]],
    ['flags and optional effects', [{ grayscale: true, contrastStretch: '1', sharpen: '', shadow: true, unsharpMask: '2-2-0.8-0.024' }]],
    ['video params', [{ width: 320, height: 240, videoCodec: 'h264', audioCodec: 'none', startOffset: 1, duration: 2, streamingResolutions: ['240', '360'] }]],
    ['trim empty', [{ trim: '' }, { trim: 5 }]],
    ['text overlay, plain', [{ overlay: { type: 'text', text: 'Hello World', transformation: [{ fontSize: 20, fontColor: 'FF0000' }] } }]],
    ['text overlay, unicode', [{ overlay: { type: 'text', text: 'हिन्दी & ünïcödé/…' } }]],
    ['text overlay, forced base64', [{ overlay: { type: 'text', text: 'plain', encoding: 'base64' } }]],
    ['image overlay with position and nested steps', [{ width: 400, overlay: { type: 'image', input: '/logos/logo.png', position: { x: 10, y: 'bh_mul_0.5' }, transformation: [{ width: 50 }, { rotation: 90 }] } }]],
    ['image overlay with odd path', [{ overlay: { type: 'image', input: 'dir/na me+@.png' } }]],
    ['nested overlay inside an overlay', [{ overlay: { type: 'image', input: 'a.png', transformation: [{ overlay: { type: 'text', text: 'in' } }] } }]],
    ['solid colour with timing and layer mode', [{ overlay: { type: 'solidColor', color: 'FF0000', layerMode: 'multiply', timing: { start: 1, end: 3 }, transformation: [{ width: 10, height: 10 }] } }]],
    ['video and subtitle overlays', [{ overlay: { type: 'video', input: 'clip.mp4', timing: { duration: 2 } } }, { overlay: { type: 'subtitle', input: 'subs.srt' } }]],
    ['overlay without content is dropped', [{ width: 5, overlay: { type: 'text', text: '' } }]],
  ])('%s', (_name, steps) => {
    expect(buildTransformationString(steps)).toBe(v7Tx(steps));
  });
});

describe('same <TX> as imagekit v6 for v6-only keys', () => {
  it.each<[string, TransformStep[]]>([
    ['effectContrast "1"', [{ effectContrast: '1' }]],
    ['effectGray true and "-"', [{ effectGray: true }, { effectGray: '-' }]],
    ['effectSharpen, effectUSM', [{ effectSharpen: 10, effectUSM: '2-2-0.8-0.024' }]],
    ['rotate', [{ rotate: 90 }]],
    ['empty defaultImage', [{ defaultImage: '' }]],
  ])('%s', (_name, steps) => {
    expect(buildTransformationString(steps)).toBe(v6Tx(steps));
  });
});

describe('same URL as v7 buildSrc', () => {
  const urlEndpoint = 'https://ik.imagekit.io/demo';
  it.each<[string, { src: string; transformation?: TransformStep[]; transformationPosition?: 'path' | 'query' }]>([
    ['query position with overlay', { src: '/a/b.jpg', transformation: [{ width: 100, overlay: { type: 'text', text: 'Hi there' } }] }],
    ['path position', { src: '/a/b.jpg', transformation: [{ height: 100 }, { rotation: 90 }], transformationPosition: 'path' }],
    ['path position, slash in a raw value', { src: '/b.jpg', transformation: [{ raw: 'l-text,i-a/b,l-end' }], transformationPosition: 'path' }],
    ['empty defaultImage', { src: '/b.jpg', transformation: [{ defaultImage: '' }] }],
  ])('%s', (_name, opts) => {
    expect(buildUrl({ urlEndpoint, ...opts })).toBe(v7.helper.buildSrc({ urlEndpoint, ...opts } as Parameters<typeof v7.helper.buildSrc>[0]));
  });
});
