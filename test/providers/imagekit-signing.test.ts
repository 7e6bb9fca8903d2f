import { createHmac } from 'node:crypto';
import ImageKit from '@imagekit/nodejs';
import ImageKitV6 from 'imagekit';
import { describe, expect, it } from 'vitest';
import { NEVER_EXPIRES, signUrl, verifySignedUrl } from '../../src-main/protocol/imagekit/signing.js';
import { buildUrl, type BuildUrlOptions } from '../../src-shared/imagekit/url-builder.js';

const KEY = 'private_key_test';
const EP = 'https://ik.imagekit.io/demo';
const NOW = 1_700_000_000;
const hmac = (msg: string): string => createHmac('sha1', KEY).update(msg).digest('hex');

describe('signUrl', () => {
  const url = 'https://ik.imagekit.io/demo/tr:w-300,h-200/sdk-testing-files/future-search.png?version=2.0';

  it('signs the §4.7 string-to-sign example and emits no ik-t when it never expires', () => {
    const sig = hmac('tr:w-300,h-200/sdk-testing-files/future-search.png?version=2.09999999999');
    expect(signUrl(url, { urlEndpoint: `${EP}/`, privateKey: KEY, now: NOW })).toBe(`${url}&ik-s=${sig}`);
    // Endpoint with or without trailing slash behaves the same.
    expect(signUrl(url, { urlEndpoint: EP, privateKey: KEY, now: NOW })).toBe(`${url}&ik-s=${sig}`);
  });

  it('adds ik-t before ik-s when the URL expires', () => {
    const signed = signUrl(`${EP}/a.jpg`, { urlEndpoint: EP, privateKey: KEY, expiresInSeconds: 300, now: NOW + 0.7 });
    const expiry = NOW + 300;
    expect(signed).toBe(`${EP}/a.jpg?ik-t=${expiry}&ik-s=${hmac(`a.jpg${expiry}`)}`);
  });

  it('treats zero or negative lifetimes as never expiring', () => {
    for (const expiresInSeconds of [0, -5]) {
      expect(signUrl(`${EP}/a.jpg`, { urlEndpoint: EP, privateKey: KEY, expiresInSeconds, now: NOW })).toBe(
        `${EP}/a.jpg?ik-s=${hmac(`a.jpg${NEVER_EXPIRES}`)}`,
      );
    }
  });

  it('signs the whole URL when it does not start with the endpoint', () => {
    const other = 'https://cdn.example.com/x.png';
    expect(signUrl(other, { urlEndpoint: EP, privateKey: KEY, now: NOW })).toBe(`${other}?ik-s=${hmac(`${other}${NEVER_EXPIRES}`)}`);
  });
});

describe('signUrl agrees with @imagekit/nodejs (v7) buildSrc', () => {
  const client = new ImageKit({ privateKey: KEY });
  const cases: { name: string; opts: BuildUrlOptions }[] = [
    { name: 'query tr', opts: { urlEndpoint: EP, path: '/a.jpg', transformation: [{ width: 300, height: 200 }] } },
    { name: 'path tr + query', opts: { urlEndpoint: `${EP}/`, path: '/sdk-testing-files/future-search.png', transformation: [{ width: 300, height: 200 }], transformationPosition: 'path', queryParameters: { version: '2.0' } } },
    { name: 'chain, flags, di, unicode path', opts: { urlEndpoint: EP, path: '/a b/é.jpg', transformation: [{ width: 300, aspectRatio: '4-3', grayscale: true }, { rotation: 90, defaultImage: '/x/y.png' }], queryParameters: { a: 'x y' } } },
    { name: 'absolute src', opts: { urlEndpoint: EP, src: 'https://ik.imagekit.io/demo/folder/img.png?v=3', transformation: [{ quality: 50 }] } },
  ];
  it.each(cases)('$name', ({ opts }) => {
    const ours = signUrl(buildUrl(opts), { urlEndpoint: opts.urlEndpoint, privateKey: KEY, now: NOW });
    const theirs = client.helper.buildSrc({
      urlEndpoint: opts.urlEndpoint,
      src: opts.path ?? opts.src ?? '',
      transformation: opts.transformation as never,
      transformationPosition: opts.transformationPosition ?? 'query',
      queryParameters: opts.queryParameters as never,
      signed: true,
    });
    expect(ours).toBe(theirs);
  });
});

describe('signUrl agrees with imagekit (v6) url() in path position', () => {
  const v6 = new ImageKitV6({ publicKey: 'public_key_test', privateKey: KEY, urlEndpoint: EP });
  it.each([
    ['/a b/é.jpg', [{ width: 300 }]],
    ['/folder/img.png', [{ height: 300, width: 400 }, { rotation: 90 }]],
    ['/x.jpg', [{ defaultImage: '/d/e.png', quality: 40 }]],
  ])('%s', (path, transformation) => {
    const ours = signUrl(buildUrl({ urlEndpoint: EP, path, transformation, transformationPosition: 'path' }), { urlEndpoint: EP, privateKey: KEY, now: NOW });
    expect(ours).toBe(v6.url({ path, transformation: transformation as never, signed: true }));
  });
});

describe('verifySignedUrl', () => {
  const target = (url: string): string => url.slice('https://ik.imagekit.io'.length);
  const base = { endpointPath: '/demo', privateKey: KEY, now: NOW };

  it('accepts a never-expiring signed URL with query and tr', () => {
    const url = signUrl(buildUrl({ urlEndpoint: EP, path: '/a b.jpg', transformation: [{ width: 10 }], queryParameters: { v: 1 } }), { urlEndpoint: EP, privateKey: KEY, now: NOW });
    expect(verifySignedUrl({ ...base, rawRequestTarget: target(url) })).toEqual({ ok: true });
    expect(verifySignedUrl({ ...base, endpointPath: '/demo/', rawRequestTarget: target(url) })).toEqual({ ok: true });
  });

  it('accepts an expiring URL before its expiry and rejects it after', () => {
    const url = signUrl(`${EP}/tr:w-5/x.png`, { urlEndpoint: EP, privateKey: KEY, expiresInSeconds: 60, now: NOW });
    expect(verifySignedUrl({ ...base, rawRequestTarget: target(url), now: NOW + 60 })).toEqual({ ok: true });
    const late = verifySignedUrl({ ...base, rawRequestTarget: target(url), now: NOW + 61 });
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('rejects a tampered signature, path, query or expiry', () => {
    const url = signUrl(`${EP}/x.png?a=1`, { urlEndpoint: EP, privateKey: KEY, expiresInSeconds: 60, now: NOW });
    const flipped = url.replace(/ik-s=(.)/, (_m, c: string) => `ik-s=${c === 'a' ? 'b' : 'a'}`);
    for (const bad of [flipped, url.replace('x.png', 'y.png'), url.replace('a=1', 'a=2'), url.replace(/ik-t=\d+/, `ik-t=${NOW + 9999}`)]) {
      expect(verifySignedUrl({ ...base, rawRequestTarget: target(bad) })).toMatchObject({ ok: false, reason: 'bad-signature' });
    }
  });

  it('reports a missing signature, and a wrong key as bad-signature', () => {
    expect(verifySignedUrl({ ...base, rawRequestTarget: '/demo/x.png' })).toMatchObject({ ok: false, reason: 'missing' });
    const url = signUrl(`${EP}/x.png`, { urlEndpoint: EP, privateKey: 'other', now: NOW });
    expect(verifySignedUrl({ ...base, rawRequestTarget: target(url) })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('works for a host-only endpoint', () => {
    const url = signUrl('https://img.example.com/f/x.png', { urlEndpoint: 'https://img.example.com', privateKey: KEY, now: NOW });
    expect(url).toContain(`ik-s=${hmac(`f/x.png${NEVER_EXPIRES}`)}`);
    expect(verifySignedUrl({ ...base, endpointPath: '', rawRequestTarget: '/f/x.png' + url.slice(url.indexOf('?')) })).toEqual({ ok: true });
  });
});
