/**
 * `searchQuery` edges the main table (imagekit-search-query.test.ts) leaves open: each comparison
 * operator on dates, sizes and custom metadata, relative-date units, size units, escapes inside
 * quotes, lower-case keywords, and what a missing or odd value matches (nothing).
 */
import { describe, expect, it } from 'vitest';
import { evaluate, parseSearchQuery, type SearchableFile, type SearchNode } from '../../src-shared/imagekit/search-query.js';

const NOW = Date.parse('2024-06-15T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ast = (q: string): SearchNode => {
  const r = parseSearchQuery(q);
  if (!r.ok) throw new Error(r.message);
  return r.ast;
};
const file = (over: Partial<SearchableFile>): SearchableFile => ({
  name: 'f.jpg',
  createdAt: NOW - DAY,
  updatedAt: NOW - DAY,
  type: 'file',
  filePath: '/f.jpg',
  ...over,
});
const match = (q: string, f: SearchableFile): boolean => evaluate(ast(q), f, NOW);

describe('dates', () => {
  const at = Date.parse('2024-06-10T08:30:00.000Z');
  const f = file({ createdAt: at, updatedAt: new Date(at).toISOString() });

  it.each([
    ['createdAt = "2024-06-10"', true],
    ['createdAt = "2024-06-11"', false],
    ['createdAt = "2024-06-10T08:30:00Z"', true],
    ['createdAt = "2024-06-10T08:30:01Z"', false],
    ['createdAt > "2024-06-10T08:29:59Z"', true],
    ['createdAt > "2024-06-10T08:30:00Z"', false],
    ['createdAt >= "2024-06-10T08:30:00Z"', true],
    ['createdAt < "2024-06-10T08:30:01Z"', true],
    ['createdAt < "2024-06-10T08:30:00Z"', false],
    ['createdAt <= "2024-06-10T08:30:00Z"', true],
    ['createdAt <= "2024-06-10T08:29:59Z"', false],
    ['updatedAt = "2024-06-10 08:30:00+00:00"', true],
    ['updatedAt = "2024-06-10T10:30:00+0200"', true],
    // A relative date with `=` is that whole day.
    ['createdAt = "5d"', true],
    ['createdAt = "4d"', false],
  ])('%s → %s', (q, expected) => {
    expect(match(q, f)).toBe(expected);
  });

  it.each([
    ['h', HOUR],
    ['d', DAY],
    ['w', 7 * DAY],
    ['m', 30 * DAY],
    ['y', 365 * DAY],
    ['D', DAY],
  ])('reads the relative unit %s', (unit, ms) => {
    const justInside = file({ createdAt: NOW - 2 * ms + 1000 });
    const justOutside = file({ createdAt: NOW - 2 * ms - 1000 });
    expect(match(`createdAt > "2${unit}"`, justInside)).toBe(true);
    expect(match(`createdAt > "2${unit}"`, justOutside)).toBe(false);
    expect(match(`createdAt < " 2${unit} "`, justOutside)).toBe(true);
  });

  it('matches nothing when the stored date does not parse', () => {
    expect(match('createdAt < "1d"', file({ createdAt: 'yesterday' }))).toBe(false);
    expect(match('createdAt > "1d"', file({ createdAt: 'yesterday' }))).toBe(false);
  });

  it('refuses dates that are not YYYY-MM-DD with an optional time', () => {
    for (const q of ['createdAt > "10/06/2024"', 'createdAt > "2024-6-1"', 'createdAt > "2024-13-45"', 'createdAt > "2d ago"']) {
      expect(parseSearchQuery(q).ok, q).toBe(false);
    }
  });
});

describe('sizes and numbers', () => {
  const f = file({ size: 1536, width: 100, height: 50 });
  it.each([
    ['size = "1.5kb"', true],
    ['size = 1536b', true],
    ['size = 1536B', true],
    ['size < "1mb"', true],
    ['size > "0.001mb"', true],
    ['size < "0.001gb"', true],
    ['size > 1536', false],
    ['size >= 1536', true],
    ['size <= 1535', false],
    ['width = 100 AND height = 50', true],
    ['width < 100', false],
    ['width <= 100', true],
    ['height > 49', true],
    ['height >= 51', false],
  ])('%s → %s', (q, expected) => {
    expect(match(q, f)).toBe(expected);
  });

  it('matches no size or width on a folder that has none', () => {
    const folder = file({ type: 'folder', size: null, width: undefined });
    expect(match('size >= 0', folder)).toBe(false);
    expect(match('width < 10', folder)).toBe(false);
  });

  it('refuses units on width and height, and unknown units', () => {
    expect(parseSearchQuery('width > 10kb')).toMatchObject({ ok: false });
    expect(parseSearchQuery('size > 10tb')).toMatchObject({ ok: false });
    expect(parseSearchQuery('size > ten')).toMatchObject({ ok: false });
  });
});

describe('custom metadata', () => {
  const f = file({ customMetadata: { price: 10, brand: 'Acme', live: true, tags: ['x', 'y'], nothing: null, nested: { a: 1 } } });
  it.each([
    ['customMetadata.price = 10', true],
    ['customMetadata.price > 9', true],
    ['customMetadata.price > 10', false],
    ['customMetadata.price >= 10', true],
    ['customMetadata.price < 11', true],
    ['customMetadata.price <= 9', false],
    ['customMetadata.price = "ten"', false],
    ['customMetadata.price = ""', false],
    // A prefix means nothing on a number.
    ['customMetadata.price : 1', false],
    ['customMetadata.brand = "Acme"', true],
    ['customMetadata.brand : "Ac"', true],
    ['customMetadata.brand : "cm"', false],
    ['customMetadata.brand > "Abc"', true],
    ['customMetadata.brand < "Abc"', false],
    ['customMetadata.brand >= "Acme"', true],
    ['customMetadata.brand <= "Acme"', true],
    ['customMetadata.brand < "Acme"', false],
    ['customMetadata.live = "true"', true],
    ['customMetadata.tags = "y"', true],
    ['customMetadata.tags IN ["z", "x"]', true],
    ['customMetadata.tags NOT IN ["x"]', false],
    ['customMetadata.nothing = "null"', false],
    ['customMetadata.nested = "[object Object]"', false],
    ['customMetadata.missing = ""', false],
  ])('%s → %s', (q, expected) => {
    expect(match(q, f)).toBe(expected);
  });

  it('matches nothing on a file without custom metadata', () => {
    expect(match('customMetadata.price > 0', file({}))).toBe(false);
    expect(match('customMetadata.price NOT IN [1]', file({ customMetadata: null }))).toBe(true);
  });
});

describe('strings, tags and paths', () => {
  it.each([
    ['name = "f.jpg"', file({}), true],
    ['name = "F.jpg"', file({}), false],
    ['type : "fi"', file({}), true],
    ['type = "file-version"', file({ type: 'file-version' }), true],
    ['format = "jpg"', file({ format: 'JPG' }), true],
    ['format : "jp"', file({ format: 'jpg' }), true],
    ['format = "jpg"', file({ format: null }), false],
    ['tags : "ani"', file({ tags: ['animal'] }), true],
    ['tags = "ani"', file({ tags: ['animal'] }), false],
    ['tags = "a"', file({ tags: null }), false],
    ['path = "/a/b/"', file({ filePath: '/a/b/c.png' }), true],
    ['path = "a/b"', file({ filePath: '/a/b/c.png' }), true],
    ['path = "/a"', file({ filePath: '/a/b/c.png' }), false],
    ['path : "/a"', file({ filePath: '/a/b/c.png' }), true],
    ['path : "/a/b/c"', file({ filePath: '/a/b/c.png' }), false],
    ['path = "/"', file({ filePath: '/c.png' }), true],
    ['path : "/"', file({ filePath: '/a/b/c.png' }), true],
    ['path = "/a/"', file({ type: 'folder', filePath: '/a/b/' }), true],
  ])('%s on %j → %s', (q, f, expected) => {
    expect(match(q, f)).toBe(expected);
  });
});

describe('syntax', () => {
  it('reads escaped quotes and backslashes inside a string', () => {
    expect(match('name = "say \\"hi\\".jpg"', file({ name: 'say "hi".jpg' }))).toBe(true);
    expect(match('name = "a\\\\b"', file({ name: 'a\\b' }))).toBe(true);
  });

  it('reads keywords in any case; AND binds tighter than OR', () => {
    const f = file({ name: 'a', size: 5 });
    expect(match('name = "x" or name = "a" and size = 5', f)).toBe(true);
    expect(match('name = "a" Or name = "x" AnD size = 6', f)).toBe(true);
    expect(match('(name = "a" OR name = "x") AND size = 6', f)).toBe(false);
    expect(match('name not in ["b"]', f)).toBe(true);
    expect(match('name IN ["b"] OR name IN ["a"]', f)).toBe(true);
  });

  it('builds the tree it evaluates', () => {
    expect(ast('size >= 10 AND (name : "a" OR tags NOT IN ["x", "y"])')).toEqual({
      type: 'and',
      left: { type: 'compare', field: 'size', op: '>=', value: { kind: 'number', value: 10 } },
      right: {
        type: 'or',
        left: { type: 'compare', field: 'name', op: ':', value: { kind: 'string', value: 'a' } },
        right: { type: 'in', field: 'tags', negate: true, values: [{ kind: 'string', value: 'x' }, { kind: 'string', value: 'y' }] },
      },
    });
    expect(ast('createdAt <= "2024-01-02"')).toEqual({ type: 'compare', field: 'createdAt', op: '<=', value: { kind: 'date', ms: Date.parse('2024-01-02'), dayOnly: true } });
    expect(ast('updatedAt > "3h"')).toEqual({ type: 'compare', field: 'updatedAt', op: '>', value: { kind: 'ago', ms: 3 * HOUR } });
  });

  it.each([
    ['name = "a', 'string starting at position 7 is not closed with a double quote.'],
    ['  ) name', 'unexpected ")" at position 2.'],
    ['name = "a")', 'unexpected ")" at position 10.'],
    ['name IN "a"', 'unexpected "a" at position 8.'],
    ['name IN ["a"', 'the query ended unexpectedly.'],
    ['name IN [', 'the query ended unexpectedly.'],
    ['name =', 'the query ended unexpectedly.'],
    ['name', 'the query ended unexpectedly.'],
    ['name NOT', 'the query ended unexpectedly.'],
    ['name = = "a"', 'unexpected "=" at position 7.'],
    ['name >= "a"', 'operator ">=" cannot be used with the name field.'],
    ['tags < "a"', 'operator "<" cannot be used with the tags field.'],
    ['width : 3', 'operator ":" cannot be used with the width field.'],
    ['createdAt : "1d"', 'operator ":" cannot be used with the createdAt field.'],
    ['customMetadata. = 1', 'customMetadata. is not a valid field.'],
    ['customMetadata.a.b = 1', 'customMetadata.a.b is not a valid field.'],
    ['constructor = 1', 'constructor is not a valid field.'],
    ['"toString" = "a"', 'toString is not a valid field.'],
    ['size > 1constructor', 'size field must have a valid numeric value (bytes, or a size like "1mb").'],
    ['size > "2valueOf"', 'size field must have a valid numeric value (bytes, or a size like "1mb").'],
    ['   ', 'the query is empty.'],
  ])('%j → %s', (q, text) => {
    expect(parseSearchQuery(q)).toEqual({ ok: false, message: `Invalid search query - ${text} Please refer to the documentation for syntax specification.` });
  });
});

describe('more edges', () => {
  it('compares custom text exactly with = (no locale folding) and reads an empty or blank number as none', () => {
    const f = file({ customMetadata: { brand: 'Caf\u00e9', zero: 0 } });
    expect(match('customMetadata.brand = "Cafe\u0301"', f)).toBe(false);
    expect(match('customMetadata.brand = "Caf\u00e9"', f)).toBe(true);
    expect(match('customMetadata.zero = ""', f)).toBe(false);
    expect(match('customMetadata.zero = " "', f)).toBe(false);
    expect(match('customMetadata.zero = 0', f)).toBe(true);
  });

  it('compares folder paths whole, however many slashes were typed', () => {
    expect(match('path = "a/b"', file({ filePath: '/ab/c.png' }))).toBe(false);
    expect(match('path = "//a"', file({ filePath: '/a/c.png' }))).toBe(true);
    expect(match('path = "a//"', file({ filePath: '/a/c.png' }))).toBe(true);
    expect(match('format : "s"', file({ format: null }))).toBe(false);
  });

  it('reads relative dates of several digits and trims quoted values', () => {
    expect(match('createdAt > "12h"', file({ createdAt: NOW - 11 * HOUR }))).toBe(true);
    expect(match('createdAt = " 2024-06-14 "', file({ createdAt: NOW - DAY }))).toBe(true);
    expect(match('createdAt > "2024-06-14T00:00:00"', file({ createdAt: NOW }))).toBe(true);
    expect(match('size = " 1536 "', file({ size: 1536 }))).toBe(true);
  });

  it.each([
    ['createdAt > "x2d"', 'createdAt field must have a valid date value. Make sure the value is enclosed within quotes.'],
    ['createdAt > "x2024-06-10"', 'createdAt field must have a valid date value. Make sure the value is enclosed within quotes.'],
    ['size > "x5"', 'size field must have a valid numeric value (bytes, or a size like "1mb").'],
    ['size > "5kb!"', 'size field must have a valid numeric value (bytes, or a size like "1mb").'],
    ['(name = "a"]', 'unexpected "]" at position 11.'],
    ['xcustomMetadata.a = 1', 'xcustomMetadata.a is not a valid field.'],
    ['name IN ("a")', 'unexpected "(" at position 8.'],
    ['name IN', 'the query ended unexpectedly.'],
    ['name IN ["a" ","]', 'unexpected "," at position 13.'],
    ['name IN ["a")', 'unexpected ")" at position 12.'],
  ])('%j → %s', (q, text) => {
    expect(parseSearchQuery(q)).toEqual({ ok: false, message: `Invalid search query - ${text} Please refer to the documentation for syntax specification.` });
  });
});
