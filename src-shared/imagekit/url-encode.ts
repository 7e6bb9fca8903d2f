/**
 * Percent-encoding helpers that reproduce what a WHATWG `URL` object does to a path or query,
 * written without `URL` so src-shared stays free of DOM/Node globals. UTF-8 bytes come from
 * `encodeURIComponent`, which is plain ECMAScript.
 */

/** UTF-8 percent-encodes one code point; a lone surrogate becomes U+FFFD like WHATWG does. */
function encodeCodePoint(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  // encodeURIComponent leaves `'` (and `!()*~`) alone, but WHATWG's query set encodes `'`.
  if (cp < 0x80) return `%${cp.toString(16).toUpperCase().padStart(2, '0')}`;
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD';
  }
}

/** Encodes every code point that is a C0 control, DEL, non-ASCII, or listed in `extra`. */
function encodeWithSet(input: string, extra: string): string {
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp > 0x7e || extra.includes(ch)) out += encodeCodePoint(ch);
    else out += ch;
  }
  return out;
}

/**
 * WHATWG path percent-encode set (as Node 20/22 serialise a pathname): space `"` `#` `<` `>` `?`
 * `` ` `` `{` `}`, controls and non-ASCII. `%` is left alone, so already-encoded input is stable.
 * A `\` becomes `/` because http(s) URLs treat it as a separator.
 */
export function encodeUrlPath(path: string): string {
  return encodeWithSet(path.replace(/\\/g, '/'), ' "#<>?`{}');
}

/** WHATWG special-query percent-encode set: space `"` `#` `<` `>` `'`, controls and non-ASCII. */
export function encodeUrlQuery(query: string): string {
  return encodeWithSet(query, ' "#<>\'');
}

/**
 * Encoding for a raw `tr` query value. Like v7 it keeps `,` `:` `-` literal (readable URLs, and
 * what the CDN documents), but also escapes `&` and `+` so the value survives form decoding, plus
 * the special-query set so a later WHATWG parse (which signing depends on) changes nothing.
 */
export function encodeTrValue(tx: string): string {
  return encodeWithSet(tx, ' "#<>\'&+');
}

/** `application/x-www-form-urlencoded` serialisation of one key or value, as URLSearchParams does. */
export function formEncode(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
