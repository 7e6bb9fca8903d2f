/**
 * The delivery URL builder's edges: URL parsing (user info, ports, empty hosts, fragments), path
 * normalisation (`.`/`..` at the end, backslashes), and the percent-encoding of paths, queries,
 * `tr` values and query parameters. Where WHATWG `URL` / `URLSearchParams` define the answer the
 * test asks them, since signing depends on our bytes matching what an HTTP client sends.
 */
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src-shared/errors.js';
import { buildUrl, normaliseEndpoint } from '../../src-shared/imagekit/url-builder.js';

const EP = 'https://ik.imagekit.io/demo';
/** What a WHATWG URL makes of `url`, without the fragment (which never reaches the CDN). */
const whatwg = (url: string): string => {
  const u = new URL(url);
  u.hash = '';
  return u.href;
};

describe('buildUrl: parsing the endpoint and an absolute src', () => {
  it.each([
    'https://User:PW@CDN.Example.com:8443/x/../y/./z.png?a=b#frag',
    'http://h.example:80/a/b/..',
    'https://h.example:80/a/.',
    'http://h.example:443/a',
    'HTTP://H.EXAMPLE/a\\b.png',
    'https://h.example/dir/ü name/x.png?q=a b',
    'https://@h.example/a.png',
    'https://:@h.example/a.png',
    'https://u:@h.example/a.png',
    'https://:p@h.example/a.png',
  ])('an absolute src is written as WHATWG would: %s', (src) => {
    expect(buildUrl({ urlEndpoint: EP, src })).toBe(whatwg(src));
  });

  it('drops the endpoint’s fragment and keeps its user info', () => {
    expect(buildUrl({ urlEndpoint: 'https://Me@h.example/pre#top', path: 'a.jpg' })).toBe('https://Me@h.example/pre/a.jpg');
  });

  it('drops only the scheme’s own default port', () => {
    expect(buildUrl({ urlEndpoint: 'http://h.example:80/p', path: 'a' })).toBe('http://h.example/p/a');
    expect(buildUrl({ urlEndpoint: 'http://h.example:443/p', path: 'a' })).toBe('http://h.example:443/p/a');
    expect(buildUrl({ urlEndpoint: 'https://h.example:4430/p', path: 'a' })).toBe('https://h.example:4430/p/a');
  });

  it.each([
    ['no host', 'https:///demo'],
    ['only a port', 'https://:8080/demo'],
    ['only the default port', 'http://:80/demo'],
    ['a user but no host', 'https://me@/demo'],
    ['another scheme', 'ws://h.example/demo'],
    ['no scheme', 'h.example/demo'],
    ['text before the scheme', 'xhttps://h.example/demo'],
  ])('gives "" for an endpoint with %s', (_name, urlEndpoint) => {
    expect(buildUrl({ urlEndpoint, path: '/a.jpg' })).toBe('');
    expect(normaliseEndpoint(urlEndpoint)).toBeNull();
  });

  it('gives "" for an absolute src that is not a URL, and for an empty path without src', () => {
    expect(buildUrl({ urlEndpoint: EP, src: 'https://' })).toBe('');
    expect(buildUrl({ urlEndpoint: EP, src: 'http://:80/x' })).toBe('');
    expect(buildUrl({ urlEndpoint: EP, path: '', src: '' })).toBe('');
    expect(buildUrl({ urlEndpoint: EP, path: '' })).toBe('');
  });

  it('uses src when path is empty', () => {
    expect(buildUrl({ urlEndpoint: EP, path: '', src: '/s.jpg' })).toBe(`${EP}/s.jpg`);
  });

  it('works with an endpoint that has no path', () => {
    expect(buildUrl({ urlEndpoint: 'https://ik.imagekit.io', path: 'a.jpg', transformation: [{ width: 1 }], transformationPosition: 'path' })).toBe(
      'https://ik.imagekit.io/tr:w-1/a.jpg',
    );
    expect(normaliseEndpoint('https://IK.imagekit.io')).toBe('https://ik.imagekit.io');
    expect(normaliseEndpoint('https://h.example/a b/./c/../')).toBe('https://h.example/a%20b');
  });
});

describe('buildUrl: file paths', () => {
  it.each([
    ['a trailing ..', '/a/b/..', '/a/'],
    ['a trailing .', '/a/.', '/a/'],
    ['a trailing slash', '/a/b/', '/a/b/'],
    ['backslashes', 'a\\b\\c.png', '/a/b/c.png'],
    ['controls, DEL and a lone surrogate', '/\u0001\u007f\uD800x', '/%01%7F%EF%BF%BDx'],
    ['already-encoded input', '/a%20b.png', '/a%20b.png'],
    ['every path-encoded character', '/ "#<>?`{}|.png', '/%20%22%23%3C%3E%3F%60%7B%7D|.png'],
  ])('%s', (_name, path, expected) => {
    expect(buildUrl({ urlEndpoint: EP, path })).toBe(`${EP}${expected}`);
  });

  it('agrees with WHATWG on a path full of odd characters', () => {
    const path = "/\u0001 \"#<>?`{}|\\^'~é😀\u007f.png";
    const u = new URL(`${EP}/x`);
    u.pathname = `/demo${path}`;
    expect(buildUrl({ urlEndpoint: EP, path })).toBe(u.href);
  });

  it('encodes a path-position transformation like a path, without normalising it', () => {
    expect(buildUrl({ urlEndpoint: EP, path: 'a.jpg', transformation: [{ raw: 'l-text,i-a b?/../c,l-end' }], transformationPosition: 'path' })).toBe(
      `${EP}/tr:l-text,i-a%20b%3F/../c,l-end/a.jpg`,
    );
  });

  it('writes neither tr: nor ?tr= when the steps render nothing', () => {
    expect(buildUrl({ urlEndpoint: EP, path: 'a.jpg', transformation: [{ width: undefined }], transformationPosition: 'path' })).toBe(`${EP}/a.jpg`);
    expect(buildUrl({ urlEndpoint: EP, path: 'a.jpg', transformation: [] })).toBe(`${EP}/a.jpg`);
  });
});

describe('buildUrl: queries', () => {
  it('encodes an existing query like WHATWG’s special-query set', () => {
    const src = "https://h.example/a.png?x=a b\"<>'\u0001\u007f&é=1";
    expect(buildUrl({ urlEndpoint: EP, src })).toBe(whatwg(src));
    expect(buildUrl({ urlEndpoint: 'https://h.example/p?k=a b', path: 'a' })).toBe('https://h.example/p/a?k=a%20b');
  });

  it('form-encodes query parameters like URLSearchParams, booleans and numbers as text', () => {
    const params = { 'a b': "it's!()~*", é: '\uD800', flag: true, n: 1.5, off: false };
    const expected = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
    expect(buildUrl({ urlEndpoint: EP, path: 'a', queryParameters: params })).toBe(`${EP}/a?${expected}`);
    expect(expected).toBe('a+b=it%27s%21%28%29%7E*&%C3%A9=%EF%BF%BD&flag=true&n=1.5&off=false');
  });

  it('escapes in a tr value what form decoding or a URL parse would change, keeping , : - literal', () => {
    const url = buildUrl({ urlEndpoint: EP, path: 'a', transformation: [{ raw: "e-edit-prompt-a\"b#c<d>e'f&g+h é:i,j" }] });
    expect(url).toBe(`${EP}/a?tr=e-edit-prompt-a%22b%23c%3Cd%3Ee%27f%26g%2Bh%20%C3%A9:i,j`);
    // Signing covers these bytes: a WHATWG parse (what an HTTP client does) must change none.
    expect(new URL(url).href).toBe(url);
    expect(new URL(url).searchParams.get('tr')).toBe("e-edit-prompt-a\"b#c<d>e'f&g+h é:i,j");
  });

  it('puts the endpoint query first, then the parameters, then tr', () => {
    expect(buildUrl({ urlEndpoint: 'https://h.example/p?k=1', path: 'a', queryParameters: { z: 'last?' }, transformation: [{ width: 2 }] })).toBe(
      'https://h.example/p/a?k=1&z=last%3F&tr=w-2',
    );
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['an array', ['a']],
  ])('refuses a %s query parameter, naming its key', (_name, value) => {
    let thrown: unknown;
    try {
      buildUrl({ urlEndpoint: EP, path: 'a', queryParameters: { bad: value as unknown as string } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).error).toMatchObject({ code: 'bad_request', details: { key: 'bad' } });
    expect((thrown as FerryError).message).toBe('The query parameter "bad" cannot be written into a URL.');
  });
});

describe('buildUrl: odd inputs', () => {
  it('trims the endpoint', () => {
    expect(buildUrl({ urlEndpoint: '  https://h.example/p  ', path: 'a' })).toBe('https://h.example/p/a');
  });

  it('treats a path that merely contains a URL as a path', () => {
    expect(buildUrl({ urlEndpoint: EP, path: 'a/https://x.png' })).toBe(`${EP}/a/https:/x.png`);
  });

  it('writes U+0080 as its UTF-8 bytes, and a backslash in a path-position transformation as /', () => {
    expect(buildUrl({ urlEndpoint: EP, path: '/\u0080.png' })).toBe(`${EP}/%C2%80.png`);
    expect(buildUrl({ urlEndpoint: EP, path: 'a.jpg', transformation: [{ raw: 'l-text,i-a\\b,l-end' }], transformationPosition: 'path' })).toBe(
      `${EP}/tr:l-text,i-a/b,l-end/a.jpg`,
    );
  });
});
