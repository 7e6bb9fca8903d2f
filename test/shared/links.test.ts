import { describe, expect, it } from 'vitest';
import { formatLink } from '../../src-shared/links.js';

// The copied text's escaping, character by character: a name or URL must never break out of the
// link it is pasted in (mutation testing found these only checked on friendly names).
describe('formatLink escaping', () => {
  it('HTML escapes every markup character as a numeric entity in text and attributes', () => {
    expect(formatLink('https://x/?a=1&b="2"', `<b>'n' & "m"</b>`, 'html')).toBe(
      '<a href="https://x/?a=1&#38;b=&#34;2&#34;">&#60;b&#62;&#39;n&#39; &#38; &#34;m&#34;&#60;/b&#62;</a>',
    );
    expect(formatLink('https://x/a.png', 'a"b', 'html', { image: true })).toBe('<img src="https://x/a.png" alt="a&#34;b">');
  });

  it('Markdown escapes the characters that could end or restyle the text, and folds line breaks', () => {
    expect(formatLink('https://x/f', 'a\\b`c*d_e[f]g<h>i&j|k~l', 'markdown')).toBe('[a\\\\b\\`c\\*d\\_e\\[f\\]g\\<h\\>i\\&j\\|k\\~l](https://x/f)');
    expect(formatLink('https://x/f', 'two\r\n\nlines', 'markdown')).toBe('[two lines](https://x/f)');
    expect(formatLink('https://x/f', 'photo.jpg', 'markdown', { image: true })).toBe('![photo.jpg](https://x/f)');
  });

  it('Markdown destinations percent-encode whitespace, parentheses and angle brackets (upper-case hex, two digits)', () => {
    expect(formatLink('https://x/a b(c)<d>\te', 'n', 'markdown')).toBe('[n](https://x/a%20b%28c%29%3Cd%3E%09e)');
    // Non-ASCII whitespace is UTF-8 percent-encoded, not cut to one byte.
    expect(formatLink('https://x/a\u00a0b\u3000c', 'n', 'markdown')).toBe('[n](https://x/a%C2%A0b%E3%80%80c)');
  });

  it('BBCode turns brackets in the text into parentheses, folds line breaks and encodes the URL', () => {
    expect(formatLink('https://x/[a] b', 'x[y]z\n\nw', 'bbcode')).toBe('[url=https://x/%5Ba%5D%20b]x(y)z w[/url]');
    expect(formatLink('https://x/[a].png', 'n', 'bbcode', { image: true })).toBe('[img]https://x/%5Ba%5D.png[/img]');
  });

  it('a bare URL is copied as is', () => {
    expect(formatLink('https://x/a b', 'n', 'url')).toBe('https://x/a b');
  });
});
