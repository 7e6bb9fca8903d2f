import * as filestack from 'filestack-js';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import type { BuildOptions } from '../../src-shared/filestack/url-builder.js';
import { buildProcessingUrl } from '../../src-shared/filestack/url-builder.js';

const CDN = 'https://cdn.filestackcontent.com';
const KEY = 'AhTgLagciQByzXpFGRI0Az';
const H = '5aYkEQJSQCmYShsoCnZN';
const H2 = '6aYkEQJSQCmYShsoCnZN';
const SEC = { policy: 'P', signature: 'S' };

function thrown(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FerryError) return err;
    throw err;
  }
  throw new Error('expected a FerryError');
}

describe('buildProcessingUrl: exact URLs', () => {
  const resize = { name: 'resize', params: { width: 100, height: 200 } };

  it('python style sorts params and puts security right before the source', () => {
    expect(buildProcessingUrl({ base: CDN, steps: [resize], source: { kind: 'handle', handle: H }, security: SEC, style: 'python' })).toBe(
      `${CDN}/resize=height:200,width:100/security=p:P,s:S/${H}`,
    );
  });

  it('js style keeps insertion order', () => {
    expect(buildProcessingUrl({ base: `${CDN}/`, steps: [resize], source: { kind: 'handle', handle: H }, security: SEC })).toBe(
      `${CDN}/resize=width:100,height:200/security=p:P,s:S/${H}`,
    );
  });

  it('long security form on request', () => {
    expect(buildProcessingUrl({ base: CDN, steps: [], source: { kind: 'handle', handle: H }, security: SEC, securityForm: 'long' })).toBe(
      `${CDN}/security=policy:P,signature:S/${H}`,
    );
  });

  it('reproduces the spec §7.6 python store example', () => {
    const url = buildProcessingUrl({
      base: CDN,
      apikey: KEY,
      style: 'python',
      steps: [
        { name: 'flip' },
        { name: 'resize', params: { width: 100 } },
        { name: 'store', params: { path: 'folder/image.jpg', location: 'S3', filename: 'filename', container: 'bucket' } },
      ],
      source: { kind: 'handle', handle: H },
    });
    expect(url).toBe(`${CDN}/${KEY}/flip/resize=width:100/store=container:bucket,filename:filename,location:S3,path:"folder/image.jpg"/${H}`);
  });

  it('quotes values with `/` or `,` in js style only (python sends them raw)', () => {
    const steps = [{ name: 'minify_js', params: { targets: 'not dead,> 1%', gzip: true } }];
    const source = { kind: 'handle', handle: H } as const;
    expect(buildProcessingUrl({ base: CDN, steps, source })).toBe(`${CDN}/minify_js=targets:"not dead,> 1%",gzip:true/${H}`);
    expect(buildProcessingUrl({ base: CDN, steps, source, style: 'python' })).toBe(`${CDN}/minify_js=gzip:true,targets:not dead,> 1%/${H}`);
  });

  it('writes lists, nested lists and bare values', () => {
    const url = buildProcessingUrl({
      base: CDN,
      steps: [
        { name: 'crop', params: { dim: [20, 20, 250, 250] } },
        { name: 'partial_pixelate', params: { objects: [[10, 20, 200, 250], [275, 91, 500, 557]] } },
        { name: 'cache', value: false },
      ],
      source: { kind: 'handle', handle: H },
    });
    expect(url).toBe(`${CDN}/crop=dim:[20,20,250,250]/partial_pixelate=objects:[[10,20,200,250],[275,91,500,557]]/cache=false/${H}`);
  });

  it('external URL source: quoted in js, raw in python, apikey required', () => {
    const src = { kind: 'url', url: 'https://example.com/a.png' } as const;
    const steps = [{ name: 'resize', params: { width: 50 } }];
    expect(buildProcessingUrl({ base: CDN, apikey: KEY, steps, source: src })).toBe(`${CDN}/${KEY}/resize=width:50/"https://example.com/a.png"`);
    expect(buildProcessingUrl({ base: CDN, apikey: KEY, steps, source: src, style: 'python' })).toBe(`${CDN}/${KEY}/resize=width:50/https://example.com/a.png`);
    const err = thrown(() => buildProcessingUrl({ base: CDN, steps, source: src }));
    expect(err.error.code).toBe('bad_request');
    expect(err.error.message).toMatch(/apikey is required/);
    expect(() => buildProcessingUrl({ base: CDN, steps, source: { kind: 'alias', alias: 'bucket', path: 'a.png' } })).toThrow(/apikey/);
    expect(buildProcessingUrl({ base: CDN, apikey: KEY, steps: [], source: { kind: 'alias', alias: 'bucket', path: 'a.png' }, style: 'python' })).toBe(
      `${CDN}/${KEY}/src://bucket/a.png`,
    );
  });

  it('brackets multi-file sources', () => {
    expect(buildProcessingUrl({ base: CDN, apikey: KEY, steps: [{ name: 'zip' }], source: [{ kind: 'handle', handle: H }, { kind: 'handle', handle: H2 }] })).toBe(
      `${CDN}/${KEY}/zip/[${H},${H2}]`,
    );
  });

  it('builds the §8 video_convert URL', () => {
    const url = buildProcessingUrl({
      base: 'https://process.filestackapi.com',
      apikey: KEY,
      steps: [{ name: 'video_convert', params: { preset: 'h264', width: 640, height: 360, aspect_mode: 'letterbox', clip_length: '00:00:10' } }],
      source: { kind: 'handle', handle: H },
      security: SEC,
      style: 'python',
    });
    expect(url).toBe(`https://process.filestackapi.com/${KEY}/video_convert=aspect_mode:letterbox,clip_length:00:00:10,height:360,preset:h264,width:640/security=p:P,s:S/${H}`);
  });

  it('rejects invalid steps and unsafe values before building', () => {
    const source = { kind: 'handle', handle: H } as const;
    expect(() => buildProcessingUrl({ base: CDN, steps: [{ name: 'resize', params: { width: 0 } }], source })).toThrow(
      'Task "resize": parameter "width" must be an integer from 1 to 10000 (got 0).',
    );
    expect(() => buildProcessingUrl({ base: CDN, steps: [{ name: 'x', params: { a: 'b"c' } }], source, validate: false })).toThrow(/double quote/);
    expect(() => buildProcessingUrl({ base: CDN, steps: [{ name: 'bad name' }], source, validate: false })).toThrow(/Invalid task name/);
    expect(() => buildProcessingUrl({ base: CDN, steps: [], source: [] })).toThrow(/at least one/);
  });
});

describe('js style matches the filestack-js SDK (compatibility oracle)', () => {
  const client = filestack.init(KEY);
  // The SDK's option types are narrower than what it serialises; the oracle only needs its output.
  const sdk = (src: string | string[], options: Record<string, unknown>, b64 = false): string => client.transform(src, options as never, b64);
  const cases: [string, Record<string, unknown>, Omit<BuildOptions, 'base' | 'apikey'>, boolean?][] = [
    [H, { resize: { width: 100, height: 200, fit: 'crop' }, store: { path: 'folder/a.jpg', location: 's3' }, flip: true },
      { steps: [{ name: 'resize', params: { width: 100, height: 200, fit: 'crop' } }, { name: 'store', params: { path: 'folder/a.jpg', location: 's3' } }, { name: 'flip' }], source: { kind: 'handle', handle: H } }],
    ['https://ex.com/a.png', { crop: { dim: [1, 2, 3, 4] }, partial_pixelate: { objects: [[1, 2, 3, 4], [5, 6, 7, 8]] } },
      { steps: [{ name: 'crop', params: { dim: [1, 2, 3, 4] } }, { name: 'partial_pixelate', params: { objects: [[1, 2, 3, 4], [5, 6, 7, 8]] } }], source: { kind: 'url', url: 'https://ex.com/a.png' } }],
    ['src://myalias/a/b.png', { rotate: { deg: 90 } }, { steps: [{ name: 'rotate', params: { deg: 90 } }], source: { kind: 'alias', alias: 'myalias', path: 'a/b.png' } }],
    [H, { cache: false, output: { format: 'png' } }, { steps: [{ name: 'cache', value: false }, { name: 'output', params: { format: 'png' } }], source: { kind: 'handle', handle: H } }],
    [H, { resize: { width: 100 } }, { steps: [{ name: 'resize', params: { width: 100 } }], source: { kind: 'handle', handle: H }, encoding: 'b64' }, true],
    ['https://ex.com/a.png', { resize: { width: 100 } }, { steps: [{ name: 'resize', params: { width: 100 } }], source: { kind: 'url', url: 'https://ex.com/a.png' }, encoding: 'b64' }, true],
  ];
  it.each(cases)('%s %j', (sdkSource, sdkOptions, ours, b64 = false) => {
    const expected = sdk(sdkSource, sdkOptions, b64);
    expect(buildProcessingUrl({ base: CDN, apikey: KEY, ...ours })).toBe(expected);
  });

  it('multi-source with a quoted URL inside the brackets', () => {
    const expected = sdk([H, 'https://ex.com/a.png'], { minify_js: { targets: 'not dead,> 1%' } });
    const ours = buildProcessingUrl({ base: CDN, apikey: KEY, steps: [{ name: 'minify_js', params: { targets: 'not dead,> 1%' } }], source: [{ kind: 'handle', handle: H }, { kind: 'url', url: 'https://ex.com/a.png' }] });
    expect(ours).toBe(expected);
  });
});
