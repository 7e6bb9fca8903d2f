/**
 * The video transformation plan (`toVideoPlan`): what the local cloud asks ffmpeg for. Until now
 * only the HTTP delivery tests reached it (through ffmpeg, outside the unit suite); these pin the
 * mapping itself — defaults, codec pairing, sizes made even, bounds and the messages.
 */
import { describe, expect, it } from 'vitest';
import { parseTransformation } from '../../src-shared/imagekit/transform-parser.js';
import { MAX_VIDEO_SIDE, STREAMING_HEIGHTS, toVideoPlan, videoPlanKey, type VideoPlan } from '../../src-shared/imagekit/video-ops.js';

const plan = (tx: string) => {
  const parsed = parseTransformation(tx);
  if (!parsed.ok) throw new Error(parsed.message);
  return toVideoPlan(parsed.steps);
};
const okPlan = (tx: string): VideoPlan => {
  const r = plan(tx);
  if (!r.ok) throw new Error(r.message);
  return r.plan;
};
const message = (tx: string): string => {
  const r = plan(tx);
  return r.ok ? 'OK' : r.message;
};

describe('toVideoPlan', () => {
  it('fills the defaults: cover, black, mp4 with h264 and aac, nothing else set', () => {
    expect(plan('orig')).toStrictEqual({
      ok: true,
      unsupported: [],
      plan: { fit: 'cover', withoutEnlargement: false, background: 'black', format: 'mp4', videoCodec: 'h264', audioCodec: 'aac' },
    });
    expect(toVideoPlan([])).toEqual(plan('orig'));
  });

  it('pairs webm with vp9 and opus unless the codecs are named', () => {
    expect(okPlan('f-webm')).toMatchObject({ format: 'webm', videoCodec: 'vp9', audioCodec: 'opus' });
    expect(okPlan('f-webm,vc-av1,ac-none')).toMatchObject({ format: 'webm', videoCodec: 'av1', audioCodec: 'none' });
    expect(okPlan('f-auto')).toMatchObject({ format: 'mp4', videoCodec: 'h264', audioCodec: 'aac' });
    expect(okPlan('f-mp4,vc-vp9,ac-opus')).toMatchObject({ format: 'mp4', videoCodec: 'vp9', audioCodec: 'opus' });
  });

  it('refuses a webm that would carry h264 or aac, naming which', () => {
    expect(message('f-webm,vc-h264')).toBe('A webm video cannot carry h264 video: use vc-vp9/vc-av1 and ac-opus, or f-mp4.');
    expect(message('f-webm,ac-aac')).toBe('A webm video cannot carry aac audio: use vc-vp9/vc-av1 and ac-opus, or f-mp4.');
  });

  it('reads the crop strategies and pad_resize', () => {
    expect(okPlan('w-100,c-at_max')).toMatchObject({ fit: 'inside', withoutEnlargement: true });
    expect(okPlan('w-100,c-at_max_enlarge')).toMatchObject({ fit: 'inside', withoutEnlargement: false });
    expect(okPlan('w-100,c-force')).toMatchObject({ fit: 'fill', withoutEnlargement: false });
    expect(okPlan('w-100,c-at_least')).toMatchObject({ fit: 'outside', withoutEnlargement: false });
    expect(okPlan('w-100,c-maintain_ratio')).toMatchObject({ fit: 'cover', withoutEnlargement: false });
    // cm wins over c, like the image mapping.
    expect(okPlan('w-100,c-at_max,cm-pad_resize')).toMatchObject({ fit: 'pad', withoutEnlargement: false });
  });

  it('makes pixel sizes even (4:2:0) and keeps fractions', () => {
    expect(okPlan('w-641,h-480')).toMatchObject({ width: { px: 640 }, height: { px: 480 } });
    expect(okPlan('w-1')).toMatchObject({ width: { px: 2 } });
    expect(okPlan('h-3.6')).toMatchObject({ height: { px: 4 } });
    expect(okPlan('w-0.5')).toMatchObject({ width: { fraction: 0.5 } });
    expect(okPlan(`w-${MAX_VIDEO_SIDE}`)).toMatchObject({ width: { px: MAX_VIDEO_SIDE } });
    expect(okPlan('w-10')).not.toHaveProperty('height');
  });

  it('reads the aspect ratio with - or :', () => {
    expect(okPlan('w-100,ar-16-9').aspectRatio).toBeCloseTo(16 / 9);
    expect(okPlan('w-100,ar-4:3').aspectRatio).toBeCloseTo(4 / 3);
    expect(okPlan('w-100,ar-1.5-1').aspectRatio).toBe(1.5);
  });

  it('reads the background as hex (for ffmpeg) or a name', () => {
    expect(okPlan('cm-pad_resize,w-10,bg-FF00aa').background).toBe('0xFF00aa');
    expect(okPlan('bg-white').background).toBe('white');
  });

  it('reads offsets, duration and quality', () => {
    expect(okPlan('so-1.5,eo-3,q-50')).toMatchObject({ startOffset: 1.5, endOffset: 3, quality: 50 });
    expect(okPlan('du-2.125')).toMatchObject({ duration: 2.125 });
    expect(okPlan('so-0,eo-0.001')).toMatchObject({ startOffset: 0, endOffset: 0.001 });
    expect(okPlan('q-1').quality).toBe(1);
    expect(okPlan('q-100').quality).toBe(100);
  });

  it('sorts the streaming heights and drops repeats', () => {
    expect(okPlan('sr-720_240_360_240').streamingResolutions).toEqual([240, 360, 720]);
    expect(okPlan(`sr-${STREAMING_HEIGHTS.join('_')}`).streamingResolutions).toEqual([240, 360, 480, 720, 1080, 1440, 2160]);
  });

  it('merges the chain: a later step wins', () => {
    expect(okPlan('w-100,q-20:w-200')).toMatchObject({ width: { px: 200 }, quality: 20 });
    expect(okPlan('f-webm:f-mp4')).toMatchObject({ format: 'mp4', videoCodec: 'h264' });
  });

  it('lists what it cannot do once each, in first-seen order, and still plans', () => {
    expect(plan('w-100,e-grayscale,rt-90:l-text,i-Hi,l-end,e-grayscale:l-image,i-a.png,l-end')).toMatchObject({
      ok: true,
      unsupported: ['e-grayscale', 'rt', 'l'],
      plan: { width: { px: 100 } },
    });
    expect(plan('di-a.png,orig,w-10')).toMatchObject({ ok: true, unsupported: [] });
  });

  it.each([
    ['w-0', 'w', '0'],
    ['w-4097', 'w', '4097'],
    ['h-abc', 'h', 'abc'],
    ['w-10,c-squish', 'c', 'squish'],
    ['w-10,c-constructor', 'c', 'constructor'],
    ['w-10,cm-extract', 'cm', 'extract'],
    ['f-gif', 'f', 'gif'],
    ['vc-mpeg2', 'vc', 'mpeg2'],
    ['ac-mp3', 'ac', 'mp3'],
    ['ar-0-9', 'ar', '0-9'],
    ['ar-16-0', 'ar', '16-0'],
    ['ar-16', 'ar', '16'],
    ['bg-12345', 'bg', '12345'],
    ['bg-ab', 'bg', 'ab'],
    ['sr-250', 'sr', '250'],
    ['sr-240_999', 'sr', '240_999'],
    ['q-0', 'q', '0'],
    ['q-101', 'q', '101'],
    ['q-50.5', 'q', '50.5'],
    ['so-1.2345', 'so', '1.2345'],
    ['eo-abc', 'eo', 'abc'],
    ['du-N1', 'du', 'N1'],
    ['du-0', 'du', '0'],
  ])('refuses %s naming the parameter and value', (tx, key, value) => {
    expect(message(tx)).toBe(`Invalid value "${value}" for video transformation parameter "${key}".`);
  });

  it('refuses an end offset not after the start (0 when unset)', () => {
    const text = 'The end offset (eo) must be after the start offset (so).';
    expect(message('so-3,eo-3')).toBe(text);
    expect(message('so-3,eo-2')).toBe(text);
    expect(message('eo-0')).toBe(text);
  });
});

describe('videoPlanKey', () => {
  it('gives the same text for the same plan whatever order its fields were set in', () => {
    const a = okPlan('w-100,h-50,q-20');
    const b = okPlan('q-20,h-50:w-100');
    expect(videoPlanKey(a)).toBe(videoPlanKey(b));
    expect(videoPlanKey({ ...a })).toBe(videoPlanKey(Object.fromEntries(Object.entries(a).reverse()) as VideoPlan));
  });

  it('differs when any field differs', () => {
    const base = okPlan('w-100,h-50');
    expect(videoPlanKey(okPlan('w-100,h-52'))).not.toBe(videoPlanKey(base));
    expect(videoPlanKey(okPlan('w-100,h-50,f-webm'))).not.toBe(videoPlanKey(base));
    expect(videoPlanKey(okPlan('w-100'))).not.toBe(videoPlanKey(base));
  });
});

describe('toVideoPlan: what counts as a number, a ratio, a colour', () => {
  it('takes whole and decimal sizes and seconds; refuses exponents and a trailing dot', () => {
    expect(okPlan('w-10.25,so-10,eo-12.5')).toMatchObject({ width: { px: 10 }, startOffset: 10, endOffset: 12.5 });
    for (const [tx, key, value] of [['w-1e3', 'w', '1e3'], ['w-5.', 'w', '5.'], ['so-1e1', 'so', '1e1']]) {
      expect(message(tx ?? '')).toBe(`Invalid value "${value}" for video transformation parameter "${key}".`);
    }
  });

  it('reads ratios with decimals on both sides, nothing around them', () => {
    expect(okPlan('w-10,ar-16.25-9.75').aspectRatio).toBe(16.25 / 9.75);
    expect(okPlan('w-10,ar-16:10').aspectRatio).toBe(1.6);
    for (const ar of ['x4-3', '4-3x']) expect(message(`w-10,ar-${ar}`)).toBe(`Invalid value "${ar}" for video transformation parameter "ar".`);
  });

  it('takes a background of exactly six hex digits or letters only', () => {
    for (const bg of ['zz123456', '123456zz', '1white', 'white1']) {
      expect(message(`bg-${bg}`)).toBe(`Invalid value "${bg}" for video transformation parameter "bg".`);
    }
  });

  it('writes no field it has no value for', () => {
    expect(okPlan('w-10')).toStrictEqual({ fit: 'cover', withoutEnlargement: false, background: 'black', format: 'mp4', videoCodec: 'h264', audioCodec: 'aac', width: { px: 10 } });
  });
});
