import { describe, expect, it } from 'vitest';
import { sanitizeFileName, sanitizeRelativePath } from '../../src-main/engine/name-sanitize.js';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('sanitizeFileName', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', '._._etc_passwd'],
    ['a..b.txt', 'a.b.txt'],
    ['..', 'file'],
    ['.', 'file'],
    ['', 'file'],
    ['nul\u0000byte.txt', 'nul_byte.txt'],
    ['tab\there.txt', 'tab_here.txt'],
    ['C:\\Windows\\x.dll', 'C__Windows_x.dll'],
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['trailing. . .', 'trailing'],
    ['.bashrc', '.bashrc'],
    ['e\u0301.png', '\u00e9.png'], // NFD → NFC
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('caps names at 255 UTF-8 bytes, keeps the extension and never splits a character', () => {
    const long = `${'é'.repeat(200)}😀${'x'.repeat(100)}.jpeg`;
    const out = sanitizeFileName(long);
    expect(bytes(out)).toBeLessThanOrEqual(255);
    expect(out.endsWith('.jpeg')).toBe(true);
    expect(out).not.toContain('\uFFFD');
    expect(sanitizeFileName(out)).toBe(out); // idempotent
  });

  it('10k generated hostile names all come out safe and deterministic', () => {
    const alphabet = ['.', '..', '/', '\\', '\u0000', '\u001f', 'a', 'Z', ' ', 'é', '😀', 'CON', ':', '*', '.txt', 'x'.repeat(40)];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 10_000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
      const name = parts.join('');
      const out = sanitizeFileName(name);
      expect(out).toBe(sanitizeFileName(name));
      expect(out.length).toBeGreaterThan(0);
      expect(bytes(out)).toBeLessThanOrEqual(255);
      expect(out).not.toMatch(/\.\.|[/\\\u0000-\u001f]|[. ]$/);
      expect(out).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
    }
  });
});

describe('sanitizeRelativePath', () => {
  it('drops empty, . and .. segments and sanitises the rest', () => {
    expect(sanitizeRelativePath('photos/sub/a.jpg')).toBe('photos/sub/a.jpg');
    expect(sanitizeRelativePath('../../x/./y//z.txt')).toBe('x/y/z.txt');
    expect(sanitizeRelativePath('win\\dir\\f.txt')).toBe('win/dir/f.txt');
    expect(sanitizeRelativePath('/abs/CON')).toBe('abs/_CON');
    expect(sanitizeRelativePath('../..')).toBeNull();
  });
});

// Edges `npm run mutate` showed unpinned: where an extension starts and ends, and the exact
// byte budget of a truncated name.
describe('sanitizeFileName edges', () => {
  it.each([
    ['  spaced.txt  ', 'spaced.txt'],
    ['name.', 'name'],
    ['COM1.log', '_COM1.log'],
    ['LPT9', '_LPT9'],
    ['COMA.txt', 'COMA.txt'],
    ['xcon.txt', 'xcon.txt'],
    ['console.txt', 'console.txt'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it('a name of exactly 255 bytes is kept; one more byte is cut from the stem', () => {
    const exact = `${'a'.repeat(251)}.txt`;
    expect(sanitizeFileName(exact)).toBe(exact);
    expect(sanitizeFileName(`${'a'.repeat(252)}.txt`)).toBe(exact);
  });

  it('fills the budget exactly and never ends the cut stem in a dot or space', () => {
    expect(sanitizeFileName(`${'b'.repeat(300)}.txt`)).toBe(`${'b'.repeat(251)}.txt`);
    expect(sanitizeFileName(`${'c'.repeat(250)} .d${'e'.repeat(50)}.txt`)).toBe(`${'c'.repeat(250)}.txt`);
    // A stem with nothing left after the cut falls back to "file".
    expect(sanitizeFileName(`${' .'.repeat(200)}x.txt`).endsWith('.txt')).toBe(true);
  });

  it('an extension of 32 bytes is kept when cutting; a longer one counts as stem', () => {
    const ext32 = `.${'e'.repeat(31)}`;
    expect(sanitizeFileName(`${'s'.repeat(300)}${ext32}`)).toBe(`${'s'.repeat(255 - 32)}${ext32}`);
    const ext33 = `.${'e'.repeat(32)}`;
    expect(sanitizeFileName(`${'s'.repeat(300)}${ext33}`)).toBe('s'.repeat(255));
  });

  it('a trailing dot or leading dot is not an extension', () => {
    expect(sanitizeFileName(`.${'h'.repeat(300)}`)).toBe(`.${'h'.repeat(254)}`);
  });
});

describe('sanitizeRelativePath separators', () => {
  it('splits on runs of either separator', () => {
    expect(sanitizeRelativePath('a//b\\\\c/./d')).toBe('a/b/c/d');
    expect(sanitizeRelativePath('/')).toBeNull();
  });
});
