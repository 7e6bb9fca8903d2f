import { describe, expect, it } from 'vitest';
import { decodePathTolerant, SLASH_PLACEHOLDER, splitTopLevel, unquote } from '../../src-shared/filestack/tokens.js';
import { anyOf, bool, color, fileRef, int, listOf, num, oneOf, rect, str } from '../../src-shared/filestack/validators.js';

describe('filestack path tokens', () => {
  it('decodes valid escapes, keeps an encoded slash apart and leaves malformed or invalid ones as they are', () => {
    expect(decodePathTolerant('a%20b%2Cc')).toBe('a b,c');
    expect(decodePathTolerant('x%2Fy')).toBe(`x${SLASH_PLACEHOLDER}y`);
    expect(decodePathTolerant('> 1%')).toBe('> 1%');
    expect(decodePathTolerant('%zz%4')).toBe('%zz%4');
    // %C3 alone is not UTF-8: the run stays verbatim, the valid run next to it does not decode it either.
    expect(decodePathTolerant('%C3x%C3%A9')).toBe('%C3xé');
  });

  it('splits on the separator outside quotes and brackets; unbalanced text gives null', () => {
    expect(splitTopLevel('a,b,c', ',')).toEqual(['a', 'b', 'c']);
    expect(splitTopLevel('a,"b,c",[d,e],f', ',')).toEqual(['a', '"b,c"', '[d,e]', 'f']);
    expect(splitTopLevel('[[1,2],[3]],x', ',')).toEqual(['[[1,2],[3]]', 'x']);
    expect(splitTopLevel('"[",x', ',')).toEqual(['"["', 'x']);
    expect(splitTopLevel('', ',')).toEqual(['']);
    expect(splitTopLevel('a,', ',')).toEqual(['a', '']);
    expect(splitTopLevel('"open', ',')).toBeNull();
    expect(splitTopLevel('[open', ',')).toBeNull();
    expect(splitTopLevel('close],[x', ',')).toBeNull();
    expect(splitTopLevel('a/b', '/')).toEqual(['a', 'b']);
  });

  it('unquotes only a value quoted at both ends', () => {
    expect(unquote('"x"')).toBe('x');
    expect(unquote('""')).toBe('');
    expect(unquote('"')).toBe('"');
    expect(unquote('"x')).toBe('"x');
    expect(unquote('x"')).toBe('x"');
    expect(unquote('x')).toBe('x');
  });
});

describe('filestack parameter validators', () => {
  it('int: integers in range, from numbers or digit strings', () => {
    const v = int(1, 10);
    for (const ok of [1, 10, 5, '7']) expect(v(ok)).toBeNull();
    for (const bad of [0, 11, 2.5, '2.5', 'x', Number.NaN, Number.POSITIVE_INFINITY, true, '']) expect(v(bad)).toBe('an integer from 1 to 10');
    expect(int(-5, 5)('-5')).toBeNull();
  });

  it('num: any number in range, bounds included', () => {
    const v = num(0, 1);
    for (const ok of [0, 1, 0.5, '0.25']) expect(v(ok)).toBeNull();
    for (const bad of [-0.1, 1.1, '1.5', 'a', '.5', Number.NaN]) expect(v(bad)).toBe('a number from 0 to 1');
  });

  it('oneOf: exact words unless told to ignore case; numbers and booleans compare as text', () => {
    const v = oneOf(['fit', 'crop', '1', 'true']);
    expect(v('crop')).toBeNull();
    expect(v(1)).toBeNull();
    expect(v(true)).toBeNull();
    expect(v('CROP')).toBe('one of fit, crop, 1, true');
    expect(v(['crop'])).toBe('one of fit, crop, 1, true');
    expect(oneOf(['fit', 'crop'], true)('CROP')).toBeNull();
    expect(oneOf(['fit'], true)('scale')).toBe('one of fit');
  });

  it('bool, str and color', () => {
    for (const ok of [true, false, 'true', 'false']) expect(bool(ok)).toBeNull();
    for (const bad of ['yes', 1, 'True']) expect(bool(bad)).toBe('true or false');
    for (const ok of ['a', 'hello world', 5]) expect(str(ok)).toBeNull();
    for (const bad of ['', 'say "hi"', true]) expect(str(bad)).toBe('a non-empty text without "');
    for (const ok of ['FFFFFF', '80ff00AA', 'white', 'transparent', 123456]) expect(color(ok)).toBeNull();
    for (const bad of ['#ffffff', '12345', 'FFFFFFF', 'ab', 'White', true]) expect(color(bad)).toBe('a colour (RRGGBB, AARRGGBB or a colour name)');
  });

  it('anyOf accepts what one alternative accepts and names every alternative otherwise', () => {
    const v = anyOf(int(0, 5), oneOf(['max']));
    expect(v(3)).toBeNull();
    expect(v('max')).toBeNull();
    expect(v('min')).toBe('an integer from 0 to 5 or one of max');
  });

  it('listOf checks length and every item, and says so', () => {
    const v = listOf(int(0, 9), 2, 3);
    expect(v([1, 2])).toBeNull();
    expect(v([1, 2, 3])).toBeNull();
    const msg = 'a list of 2 to 3 items, each an integer from 0 to 9';
    expect(v([1])).toBe(msg);
    expect(v([1, 2, 3, 4])).toBe(msg);
    expect(v([1, 'x'])).toBe(msg);
    expect(v('1,2')).toBe(msg);
    expect(listOf(str, 4, 4)(['a'])).toBe('a list of 4 items, each valid');
    expect(listOf(int(0, 1))([])).toBe('a list of 1 to 1000 items, each an integer from 0 to 1');
  });

  it('rect: four integers, x and y from 0, width and height from 1', () => {
    const msg = 'a rectangle [x,y,width,height] of integers (x,y ≥ 0, width,height ≥ 1)';
    expect(rect([0, 0, 1, 1])).toBeNull();
    expect(rect([0, 0, 100_000, 100_000])).toBeNull();
    for (const bad of [[-1, 0, 1, 1], [0, -1, 1, 1], [0, 0, 0, 1], [0, 0, 1, 0], [0, 0, 1], [0, 0, 1, 1, 1], [0, 0, 100_001, 1], [0, 100_001, 1, 1], '0,0,1,1']) {
      expect(rect(bad as never)).toBe(msg);
    }
  });

  it('fileRef: a handle, an http(s) URL or a src:// reference', () => {
    for (const ok of ['abcDEF_123-x', 'https://example.com/a.png', 'http://x/y', 'src://store/key.jpg']) expect(fileRef(ok)).toBeNull();
    for (const bad of ['', 'a'.repeat(65), 'ftp://x', 'https://x/"y"', 'https://x y', 'has space', 7]) expect(fileRef(bad)).toBe('a file handle or an http(s) URL');
  });
});
