/**
 * Pure UTF-8 and base64 codecs for the shared layer. src-shared may not use Buffer (Node) or
 * btoa/TextEncoder (DOM), so these are written out by hand; they are small and tested against
 * Buffer in test/shared/filestack-base64.test.ts.
 */

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Which base64 alphabet to emit: `url` uses `-` `_`, `standard` uses `+` `/`. */
export type Base64Alphabet = 'url' | 'standard';

// Decoding table that accepts BOTH alphabets: policies arrive in either (spec §2.2).
const DECODE: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (let i = 0; i < 64; i++) {
    m.set(STANDARD.charAt(i), i);
    m.set(URL_SAFE.charAt(i), i);
  }
  return m;
})();

/** Encodes a JS string as UTF-8 bytes (lone surrogates become U+FFFD, like TextEncoder). */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8 bytes strictly; returns null for invalid sequences (untrusted input). */
export function utf8Decode(bytes: Uint8Array): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i] ?? 0;
    let cp: number;
    let extra: number;
    if (b0 < 0x80) [cp, extra] = [b0, 0];
    else if (b0 >= 0xc2 && b0 < 0xe0) [cp, extra] = [b0 & 31, 1];
    else if (b0 >= 0xe0 && b0 < 0xf0) [cp, extra] = [b0 & 15, 2];
    else if (b0 >= 0xf0 && b0 < 0xf5) [cp, extra] = [b0 & 7, 3];
    else return null;
    for (let k = 1; k <= extra; k++) {
      const b = bytes[i + k];
      if (b === undefined || (b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 63);
    }
    // Reject overlong forms, surrogates and out-of-range code points.
    if ((extra === 2 && cp < 0x800) || (extra === 3 && (cp < 0x10000 || cp > 0x10ffff))) return null;
    if (cp >= 0xd800 && cp <= 0xdfff) return null;
    out += String.fromCodePoint(cp);
    i += extra + 1;
  }
  return out;
}

/** Base64-encodes bytes with `=` padding kept (both Filestack policy and b64 mode keep it). */
export function base64Encode(bytes: Uint8Array, alphabet: Base64Alphabet = 'url'): string {
  const table = alphabet === 'url' ? URL_SAFE : STANDARD;
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += table.charAt(n >> 18) + table.charAt((n >> 12) & 63);
    out += b === undefined ? '=' : table.charAt((n >> 6) & 63);
    out += c === undefined ? '=' : table.charAt(n & 63);
  }
  return out;
}

/**
 * Decodes base64 in either alphabet, with or without padding. Returns null when the text has
 * characters outside both alphabets, padding in the middle, or an impossible length.
 */
export function base64Decode(text: string): Uint8Array | null {
  const body = text.replace(/=+$/, '');
  if (text.length - body.length > 2 || body.length % 4 === 1) return null;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of body) {
    const v = DECODE.get(ch);
    if (v === undefined) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** UTF-8 string → base64 (padding kept). */
export function base64EncodeText(text: string, alphabet: Base64Alphabet = 'url'): string {
  return base64Encode(utf8Encode(text), alphabet);
}

/** base64 (either alphabet, padding optional) → UTF-8 string, or null when malformed. */
export function base64DecodeText(text: string): string | null {
  const bytes = base64Decode(text);
  return bytes === null ? null : utf8Decode(bytes);
}
