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
