import * as filestack from 'filestack-js';
import { describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../src-shared/filestack/url-builder.js';
import { buildProcessingUrl } from '../../src-shared/filestack/url-builder.js';
import type { ParsedProcessingPath } from '../../src-shared/filestack/url-parser.js';
import { parseProcessingPath } from '../../src-shared/filestack/url-parser.js';
import type { Source, TaskStep } from '../../src-shared/filestack/types.js';

const KEY = 'AhTgLagciQByzXpFGRI0Az';
const H = '5aYkEQJSQCmYShsoCnZN';
const H2 = '6aYkEQJSQCmYShsoCnZN';
const P = 'eyJleHBpcnkiOjE3MDAwMDAwMDAsImNhbGwiOlsicmVhZCJdfQ=='; // padded: `=` inside a value
const S = 'b91ae88ba97f5274e789cc01d2cabd64bd3acac8c34e63a037c21fb644feafdb';
const handle = (h: string): Source => ({ kind: 'handle', handle: h });

function ok(path: string): Extract<ParsedProcessingPath, { ok: true }> {
  const r = parseProcessingPath(path);
  if (!r.ok) throw new Error(`parse failed for ${path}: ${r.message}`);
  return r;
}

/** The path exactly as an HTTP client (WHATWG URL: `"`→%22, space→%20, `>`→%3E) sends it. */
const wirePath = (url: string): string => new URL(url).pathname;

describe('security tasks (§11 item 6)', () => {
  const forms = [
    `security=p:${P},s:${S}`,
    `security=s:${S},p:${P}`,
    `security=policy:${P},signature:${S}`,
    `security=signature:${S},policy:${P}`,
    `security=p:"${P}",s:"${S}"`,
    `security=policy:%22${P}%22,signature:%22${S}%22`,
  ];
  it.each(forms)('reads %s before the source', (sec) => {
    const r = ok(`/resize=width:100/${sec}/${H}`);
    expect(r.security).toEqual({ policy: P, signature: S });
    expect(r.steps).toEqual([{ name: 'resize', params: { width: 100 } }]);
    expect(r.sources).toEqual([handle(H)]);
  });

  it.each(forms)('reads %s first in the chain, after an apikey', (sec) => {
    const r = ok(`/${KEY}/${sec}/resize=width:100/flip/${H}`);
    expect(r.apikey).toBe(KEY);
    expect(r.security).toEqual({ policy: P, signature: S });
    expect(r.steps).toEqual([{ name: 'resize', params: { width: 100 } }, { name: 'flip' }]);
  });

  it('keeps a standard-alphabet policy with `/` when quoted', () => {
    const std = 'eyJleHBpcnkiOjE3MDAwMDAwMDAsImhhbmRsZSI6ImE/PmIifQ==';
    expect(ok(`/security=policy:"${std}",signature:${S}/${H}`).security).toEqual({ policy: std, signature: S });
  });

  it('refuses half a security task and two different ones', () => {
    expect(parseProcessingPath(`/security=p:${P}/${H}`)).toMatchObject({ ok: false, message: expect.stringMatching(/policy \(p\) and a signature/) });
    expect(parseProcessingPath(`/security=p:A,s:B/security=p:C,s:D/${H}`)).toMatchObject({ ok: false, message: expect.stringMatching(/two different/) });
  });
});

describe('apikey and sources (§11 item 7)', () => {
  it('handle with and without apikey', () => {
    expect(ok(`/${H}`)).toMatchObject({ apikey: null, steps: [], sources: [handle(H)], multiSource: false, encoding: 'plain' });
    expect(ok(`/${KEY}/${H}`)).toMatchObject({ apikey: KEY, steps: [], sources: [handle(H)] });
    expect(ok(`/flip/${H}`)).toMatchObject({ apikey: null, steps: [{ name: 'flip' }] });
    expect(ok(`/${KEY}/monochrome/${H}/`)).toMatchObject({ apikey: KEY, steps: [{ name: 'monochrome' }], sources: [handle(H)] });
  });

  it('takes a custom apikey test for keys the heuristic misses', () => {
    const r = parseProcessingPath(`/localkey/flip/${H}`, { isApikey: (s) => s === 'localkey' });
    expect(r).toMatchObject({ ok: true, apikey: 'localkey', steps: [{ name: 'flip' }] });
  });

  it.each([
    ['quoted', `/${KEY}/resize=width:50/"https://example.com/dir/a.png"`],
    ['%22-quoted', `/${KEY}/resize=width:50/%22https://example.com/dir/a.png%22`],
    ['raw', `/${KEY}/resize=width:50/https://example.com/dir/a.png`],
  ])('external URL source, %s', (_label, path) => {
    const r = ok(path);
    expect(r.sources).toEqual([{ kind: 'url', url: 'https://example.com/dir/a.png' }]);
    expect(r.steps).toEqual([{ name: 'resize', params: { width: 50 } }]);
    expect(r.apikey).toBe(KEY);
  });

  it('storage alias, raw and quoted', () => {
    expect(ok(`/${KEY}/src://bucket/a/b.png`).sources).toEqual([{ kind: 'alias', alias: 'bucket', path: 'a/b.png' }]);
    expect(ok(`/${KEY}/flip/"src://bucket/a/b.png"`).sources).toEqual([{ kind: 'alias', alias: 'bucket', path: 'a/b.png' }]);
  });

  it('bracketed multi-sources, with a quoted URL and an encoded bracket', () => {
    expect(ok(`/${KEY}/zip/[${H},${H2}]`)).toMatchObject({ sources: [handle(H), handle(H2)], multiSource: true });
    expect(ok(`/${KEY}/zip/%5B${H},"https://ex.com/a/b.png"%5D`).sources).toEqual([handle(H), { kind: 'url', url: 'https://ex.com/a/b.png' }]);
    expect(ok(`/${KEY}/zip/[${H}]`)).toMatchObject({ sources: [handle(H)], multiSource: true });
  });

  it('b64 chain and b64 source (filestack-js output)', () => {
    const r = ok('/AhTgLagciQByzXpFGRI0Az/b64/W3sibmFtZSI6InJlc2l6ZSIsInBhcmFtcyI6eyJ3aWR0aCI6MTAwfX1d/b64://aHR0cHM6Ly9leC5jb20vYS5wbmc=');
    expect(r).toMatchObject({ encoding: 'b64', steps: [{ name: 'resize', params: { width: 100 } }], sources: [{ kind: 'url', url: 'https://ex.com/a.png' }] });
    const multi = ok('/AhTgLagciQByzXpFGRI0Az/b64/W3sibmFtZSI6InppcCJ9XQ==/b64://WzVhWWtFUUpTUUNtWVNoc29DblpOLCJodHRwczovL2V4LmNvbS9hLnBuZyJd');
    expect(multi).toMatchObject({ steps: [{ name: 'zip' }], multiSource: true, sources: [handle(H), { kind: 'url', url: 'https://ex.com/a.png' }] });
  });

  it('Go-style b64 with capitalised keys and security kept outside', () => {
    const json = Buffer.from(JSON.stringify([{ Name: 'resize', Params: { width: 7 } }])).toString('base64url');
    const r = ok(`/security=p:${P},s:${S}/b64/${json}/b64://${Buffer.from(H).toString('base64url')}`);
    expect(r).toMatchObject({ security: { policy: P, signature: S }, steps: [{ name: 'resize', params: { width: 7 } }], sources: [handle(H)] });
  });
});

describe('values and styles (§11 item 8)', () => {
  it('python unquoted commas and spaces: targets:not dead,> 1%', () => {
    const url = `https://cdn.filestackcontent.com/minify_js=gzip:true,targets:not dead,> 1%/${H}`;
    expect(wirePath(url)).toBe(`/minify_js=gzip:true,targets:not%20dead,%3E%201%/${H}`); // the raw `%` survives
    expect(ok(wirePath(url)).steps).toEqual([{ name: 'minify_js', params: { gzip: true, targets: 'not dead,> 1%' } }]);
  });

  it('python unquoted URL inside a parameter', () => {
    const r = ok(`/${KEY}/video_convert=preset:h264,watermark_url:https://ex.com/w/m.png,width:100/flip/${H}`);
    expect(r.steps).toEqual([
      { name: 'video_convert', params: { preset: 'h264', watermark_url: 'https://ex.com/w/m.png', width: 100 } },
      { name: 'flip' },
    ]);
  });

  it('quoted store path, %22 quotes, colours with leading zeros, nested lists, bare value', () => {
    const r = ok(`/store=path:%22folder/a%20b.jpg%22,location:S3/border=color:000000,width:3/partial_blur=objects:[[1,2,3,4],[5,6,7,8]]/cache=false/${H}`);
    expect(r.steps).toEqual([
      { name: 'store', params: { path: 'folder/a b.jpg', location: 'S3' } },
      { name: 'border', params: { color: '000000', width: 3 } },
      { name: 'partial_blur', params: { objects: [[1, 2, 3, 4], [5, 6, 7, 8]] } },
      { name: 'cache', value: false },
    ]);
  });

  it('splits name=params on the first `=` only', () => {
    expect(ok(`/watermark=file:abc==,size:30/${H}`).steps).toEqual([{ name: 'watermark', params: { file: 'abc==', size: 30 } }]);
  });

  it('an encoded %2F does not split a segment', () => {
    expect(ok(`/store=path:a%2Fb/${H}`).steps).toEqual([{ name: 'store', params: { path: 'a/b' } }]);
  });

  it.each([
    ['unbalanced quote', `/store=path:"a/${H}`],
    ['unbalanced bracket', `/crop=dim:[1,2/${H}`],
    ['empty path', '/'],
    ['bad source', '/flip/not a handle'],
    ['bad task name', `/re-size=width:1/${H}`],
    ['parameter without key', `/resize=,width:1/${H}`],
    ['bad b64 chain', `/b64/!!!/${H}`],
  ])('fails cleanly: %s', (_label, path) => {
    const r = parseProcessingPath(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
  });
});

describe('round trip: parse(build(x)) == x', () => {
  const steps: TaskStep[] = [
    { name: 'resize', params: { width: 100, height: 200, fit: 'crop', align: ['top', 'left'] } },
    { name: 'crop', params: { dim: [20, 20, 250, 250] } },
    { name: 'rotate', params: { deg: 'exif', background: 'FF00FF' } },
    { name: 'flip' },
    { name: 'rounded_corners', params: { radius: 'max', blur: 0.5, background: 'white' } },
    { name: 'partial_pixelate', params: { amount: 10, objects: [[10, 20, 200, 250], [275, 91, 500, 557]] } },
    { name: 'output', params: { format: 'webp', quality: 80, compress: true, strip: false } },
    { name: 'store', params: { path: 'folder/sub/a.jpg', location: 's3', container: 'bucket', workflows: ['wf-1', 'wf-2'] } },
    { name: 'minify_js', params: { targets: 'not dead,> 1%', gzip: true } },
    { name: 'video_convert', params: { preset: 'h264', watermark_url: 'https://ex.com/w.png', clip_offset: '00:00:05', width: 640 } },
    { name: 'cache', value: false },
    { name: 'cache', params: { expiry: 3600 } },
  ];
  const sources: (Source | Source[])[] = [
    handle(H),
    { kind: 'url', url: 'https://example.com/dir/a.png' },
    { kind: 'alias', alias: 'bucket', path: 'x/y.png' },
    [handle(H), handle(H2), { kind: 'url', url: 'https://ex.com/a.png' }],
  ];
  const cases: BuildOptions[] = [];
  for (const source of sources) {
    for (const style of ['js', 'python'] as const) {
      for (const security of [undefined, { policy: P, signature: S }]) {
        cases.push({ base: 'https://cdn.filestackcontent.com', apikey: KEY, steps, source, style, ...(security ? { security } : {}) });
      }
    }
    cases.push({ base: 'https://cdn.filestackcontent.com', apikey: KEY, steps: steps.filter((s) => s.value === undefined), source, encoding: 'b64', security: { policy: P, signature: S } });
  }

  it.each(cases.map((c, i) => [i, c] as const))('case %i', (_i, opts) => {
    // Python sends `targets:not dead,> 1%` raw, which parses back thanks to the continuation rule.
    const url = buildProcessingUrl(opts);
    const r = ok(wirePath(url));
    expect(r.apikey).toBe(KEY);
    expect(r.steps).toEqual(opts.steps);
    expect(r.security).toEqual(opts.security ?? null);
    expect(r.sources).toEqual(Array.isArray(opts.source) ? opts.source : [opts.source]);
    expect(r.multiSource).toBe(Array.isArray(opts.source));
    expect(r.encoding).toBe(opts.encoding ?? 'plain');
  });

  it('parses what filestack-js builds, security first in long form', () => {
    const client = filestack.init(KEY);
    const url = client.transform(H, { security: { policy: P, signature: S }, resize: { width: 100 }, store: { path: 'a/b.jpg' } });
    const r = ok(wirePath(url));
    expect(r).toMatchObject({ apikey: KEY, security: { policy: P, signature: S }, sources: [handle(H)] });
    expect(r.steps).toEqual([{ name: 'resize', params: { width: 100 } }, { name: 'store', params: { path: 'a/b.jpg' } }]);
  });
});
