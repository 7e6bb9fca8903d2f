import { describe, expect, it } from 'vitest';
import { evaluate, parseSearchQuery, type SearchableFile } from '../../src-shared/imagekit/search-query.js';

const NOW = Date.parse('2024-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

const files: Record<string, SearchableFile> = {
  cat: { name: 'cat.jpg', size: 2 * 1024 * 1024, createdAt: iso(NOW - 3 * DAY), updatedAt: iso(NOW - DAY), format: 'jpg', tags: ['animal', 'cute'], type: 'file', width: 1200, height: 800, filePath: '/pets/cat.jpg', customMetadata: { price: 10, colors: ['red', 'blue'] } },
  dog: { name: 'dog.png', size: 300 * 1024, createdAt: iso(NOW - 40 * DAY), updatedAt: iso(NOW - 40 * DAY), format: 'png', tags: ['animal'], type: 'file', width: 400, height: 400, filePath: '/pets/dogs/dog.png' },
  doc: { name: 'Report.pdf', size: 5000, createdAt: '2020-01-01T10:00:00.000Z', updatedAt: '2020-01-02T00:00:00.000Z', format: 'pdf', tags: null, type: 'file', filePath: '/docs/Report.pdf' },
  pets: { name: 'pets', createdAt: iso(NOW - 100 * DAY), updatedAt: iso(NOW - 100 * DAY), type: 'folder', filePath: '/pets' },
};

const run = (q: string): string[] => {
  const r = parseSearchQuery(q);
  if (!r.ok) throw new Error(r.message);
  return Object.entries(files).filter(([, f]) => evaluate(r.ast, f, NOW)).map(([k]) => k);
};

describe('searchQuery evaluation', () => {
  it.each([
    ['name = "cat.jpg"', ['cat']],
    ['name : "do"', ['dog']],
    ['name : "re"', []], // prefix match is case-sensitive
    ['name IN ["cat.jpg", "Report.pdf"]', ['cat', 'doc']],
    ['size > "1mb"', ['cat']],
    ['size <= 500kb', ['dog', 'doc']],
    ['size = 5000', ['doc']],
    ['width >= 400 AND height < 800', ['dog']],
    ['createdAt > "7d"', ['cat']],
    ['createdAt < "1m"', ['dog', 'doc', 'pets']],
    ['updatedAt > "2h"', []],
    ['createdAt < "2021-01-01"', ['doc']],
    ['createdAt = "2020-01-01"', ['doc']],
    ['createdAt >= "2020-01-01T10:00:00Z" AND createdAt <= "2020-01-01T10:00:00.000Z"', ['doc']],
    ['format = "PNG"', ['dog']],
    ['format IN ["jpg", "pdf"]', ['cat', 'doc']],
    ['tags = "cute"', ['cat']],
    ['tags IN ["animal"]', ['cat', 'dog']],
    ['tags NOT IN ["cute"]', ['dog', 'doc', 'pets']],
    ['type = "folder"', ['pets']],
    ['type = file AND path = "/pets/"', ['cat']],
    ['path : "/pets/"', ['cat', 'dog']],
    ['path = "pets/dogs"', ['dog']],
    ['path = "/"', ['pets']],
    ['customMetadata.price > 5', ['cat']],
    ['customMetadata.colors = "blue"', ['cat']],
    // The documented form quotes the dotted field name.
    ['"customMetadata.price" > 5', ['cat']],
    ['"customMetadata.price" >= "10" AND "name" = "cat.jpg"', ['cat']],
    ['"customMetadata.colors" IN ["red"]', ['cat']],
    ['("customMetadata.price" < 5) OR "tags" = "cute"', ['cat']],
    ['name = "cat.jpg" OR name = "dog.png" AND size > "1mb"', ['cat']],
    ['(name = "cat.jpg" OR name = "dog.png") AND size < "1mb"', ['dog']],
    ['((tags = "animal"))', ['cat', 'dog']],
    ['tags = "animal" and name NOT IN ["cat.jpg"]', ['dog']],
    ['type = "file" AND (size < 10000 OR (width = 1200 AND height = 800))', ['cat', 'doc']],
  ])('%s', (q, expected) => {
    expect(run(q)).toEqual(expected);
  });
});

describe('searchQuery errors', () => {
  const msg = (q: string): string => {
    const r = parseSearchQuery(q);
    return r.ok ? 'OK' : r.message;
  };

  it('uses the confirmed createdAt message for unquoted or invalid dates', () => {
    const expected = 'Invalid search query - createdAt field must have a valid date value. Make sure the value is enclosed within quotes. Please refer to the documentation for syntax specification.';
    expect(msg('createdAt > 2020-01-01')).toBe(expected);
    expect(msg('createdAt > "yesterday"')).toBe(expected);
    expect(msg('updatedAt > 7d')).toContain('updatedAt field must have a valid date value');
  });

  it.each([
    ['', 'the query is empty.'],
    ['colour = "red"', 'colour is not a valid field.'],
    ['name > "a"', 'operator ">" cannot be used with the name field.'],
    ['size : 10', 'operator ":" cannot be used with the size field.'],
    ['width > 10px', 'width field must have a valid numeric value.'],
    ['size > "1tb"', 'size field must have a valid numeric value'],
    ['name = "open', 'is not closed with a double quote.'],
    ['name = "a" size > 1', 'unexpected "size" at position 11.'],
    ['(name = "a"', 'the query ended unexpectedly.'],
    ['name IN ["a" "b"]', 'unexpected "b"'],
    ['name NOT = "a"', 'unexpected "="'],
    ['name = "a" AND', 'the query ended unexpectedly.'],
    ['"colour" = "red"', 'colour is not a valid field.'],
    ['"name"', 'the query ended unexpectedly.'],
  ])('%j', (q, text) => {
    const m = msg(q);
    expect(m.startsWith('Invalid search query - ')).toBe(true);
    expect(m).toContain(text);
    expect(m.endsWith(' Please refer to the documentation for syntax specification.')).toBe(true);
  });
});
