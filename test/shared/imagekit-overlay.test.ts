/**
 * Structured layers (`overlay`) in the transformation builder: every placement and timing field
 * in its order, the input encodings, and each refusal with its message. Where v7 has an answer
 * the expected string is what `@imagekit/nodejs` writes (see imagekit-sdk-parity.test.ts); the
 * one deliberate difference (a 0 position is written) is marked.
 */
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { buildTransformationString, type TransformStep } from '../../src-shared/imagekit/url-builder.js';

const tx = (overlay: unknown): string => buildTransformationString([{ overlay } as TransformStep]);

/** The FerryError a step is refused with. */
const refusal = (overlay: unknown): FerryError => {
  try {
    tx(overlay);
  } catch (err) {
    if (err instanceof FerryError) return err;
    throw err;
  }
  throw new Error('not refused');
};

describe('overlay placement and timing', () => {
  it('writes mode, position and timing in a fixed order, after the input', () => {
    expect(
      tx({
        type: 'text',
        text: 'a b',
        timing: { duration: 7, end: 6, start: 5 },
        position: { anchorPoint: 'top_left', focus: 'center', yCenter: 4, xCenter: 3, y: 2, x: 1 },
        layerMode: 'cutter',
      }),
    ).toBe('l-text,i-a%20b,lm-cutter,lx-1,ly-2,lxc-3,lyc-4,lfo-center,lap-top_left,lso-5,leo-6,ldu-7,l-end');
  });

  it('writes a 0 position (v7 drops it; both mean the same place) and skips empty ones', () => {
    expect(tx({ type: 'text', text: 'x', position: { x: 0, y: '' } })).toBe('l-text,i-x,lx-0,l-end');
    expect(tx({ type: 'image', input: 'a.png', position: { x: undefined, y: null }, timing: {} })).toBe('l-image,i-a.png,l-end');
    expect(tx({ type: 'image', input: 'a.png', position: { x: 'bw_mul_0.5' }, timing: { start: '1.5' } })).toBe('l-image,i-a.png,lx-bw_mul_0.5,lso-1.5,l-end');
  });

  it.each([
    ['a NaN x', { position: { x: Number.NaN } }, 'lx'],
    ['an Infinity end', { timing: { end: Number.POSITIVE_INFINITY } }, 'leo'],
    ['a boolean focus', { position: { focus: true } }, 'lfo'],
    ['an object layer mode', { layerMode: {} }, 'lm'],
  ])('refuses %s, naming the parameter', (_name, extra, param) => {
    const err = refusal({ type: 'image', input: 'a.png', ...extra });
    expect(err.error.code).toBe('bad_request');
    expect(err.message).toBe(`The overlay's "${param}" must be a number or a string.`);
    expect(err.error.details).toEqual({ key: param });
  });
});

describe('overlay input', () => {
  it('writes plain text as i-, anything else as ie- base64, or as asked', () => {
    expect(tx({ type: 'text', text: 'Hello-World_1.0' })).toBe('l-text,i-Hello-World_1.0,l-end');
    expect(tx({ type: 'text', text: 'a/b' })).toBe(`l-text,ie-${encodeURIComponent(Buffer.from('a/b').toString('base64'))},l-end`);
    expect(tx({ type: 'text', text: 'é', encoding: 'plain' })).toBe('l-text,i-%C3%A9,l-end');
    expect(tx({ type: 'text', text: 'plain', encoding: 'base64' })).toBe('l-text,ie-cGxhaW4%3D,l-end');
    // Standard base64 (with / and +), percent-encoded: not the URL-safe alphabet.
    expect(tx({ type: 'text', text: '???>>>' })).toBe('l-text,ie-Pz8%2FPj4%2B,l-end');
  });

  it('writes paths without their outer slashes, / as @@, odd ones as base64 unless plain is asked', () => {
    expect(tx({ type: 'image', input: '/a/b c.png/' })).toBe('l-image,i-a@@b c.png,l-end');
    expect(tx({ type: 'image', input: '/a/b.png', encoding: 'base64' })).toBe('l-image,ie-YS9iLnBuZw%3D%3D,l-end');
    expect(tx({ type: 'image', input: 'a+b.png' })).toBe(`l-image,ie-${encodeURIComponent(Buffer.from('a+b.png').toString('base64'))},l-end`);
    expect(tx({ type: 'image', input: 'a+b.png', encoding: 'plain' })).toBe('l-image,i-a+b.png,l-end');
    expect(tx({ type: 'subtitle', input: 'a/b.srt', encoding: 'plain' })).toBe('l-subtitles,i-a@@b.srt,l-end');
    expect(tx({ type: 'video', input: 'v.mp4' })).toBe('l-video,i-v.mp4,l-end');
  });

  it('writes a solid colour as the canvas image with its background', () => {
    expect(tx({ type: 'solidColor', color: 'FF000080' })).toBe('l-image,i-ik_canvas,bg-FF000080,l-end');
  });

  it('adds the layer’s own transformation only when it writes something', () => {
    expect(tx({ type: 'image', input: 'a.png', transformation: [{ width: undefined }] })).toBe('l-image,i-a.png,l-end');
    expect(tx({ type: 'image', input: 'a.png', transformation: [{ width: 5 }, { rotation: 90 }] })).toBe('l-image,i-a.png,w-5:rt-90,l-end');
  });

  it('drops a layer without content, and a null overlay', () => {
    for (const overlay of [{ type: 'text', text: '' }, { type: 'image' }, { type: 'solidColor', color: null }, null, undefined]) {
      expect(buildTransformationString([{ width: 1, overlay } as TransformStep])).toBe('w-1');
    }
  });
});

describe('overlay refusals', () => {
  it.each([
    ['an unknown type', { type: 'sticker', input: 'a' }, 'Unknown overlay type "sticker": use text, image, video, subtitle or solidColor.'],
    ['no type', { input: 'a' }, 'Unknown overlay type undefined: use text, image, video, subtitle or solidColor.'],
    ['a prototype name as type', { type: 'constructor', input: 'a' }, 'Unknown overlay type "constructor": use text, image, video, subtitle or solidColor.'],
    ['a number as type', { type: 1, input: 'a' }, 'Unknown overlay type 1: use text, image, video, subtitle or solidColor.'],
    ['a number as text', { type: 'text', text: 5 }, "The text overlay's text must be a string."],
    ['an object as input', { type: 'video', input: {} }, "The video overlay's input must be a string."],
    ['a number as colour', { type: 'solidColor', color: 1 }, "The solidColor overlay's color must be a string."],
    ['a string overlay', 'l-text', 'The transformation option "overlay" must be an object with a type.'],
    ['an array overlay', [], 'The transformation option "overlay" must be an object with a type.'],
  ])('refuses %s', (_name, overlay, text) => {
    const err = refusal(overlay);
    expect(err.error.code).toBe('bad_request');
    expect(err.message).toBe(text);
  });
});
