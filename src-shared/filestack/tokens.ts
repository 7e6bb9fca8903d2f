/**
 * Low-level lexing for processing paths: tolerant percent-decoding and splitting that respects
 * `"..."` quotes and `[...]` brackets (quoted values and URL sources contain `/` and `,`).
 */

/** Stands in for an encoded `%2F` so it does not split segments; restored afterwards. */
export const SLASH_PLACEHOLDER = '\uE000';

/**
 * Decodes every valid `%XX` run; leaves malformed escapes (a bare `1%` from an unencoded
 * `> 1%` value) as literal text instead of failing the whole request.
 */
export function decodePathTolerant(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run).replaceAll('/', SLASH_PLACEHOLDER);
    } catch {
      // An invalid UTF-8 run: decode it byte by byte as Latin-1 would be wrong; keep it verbatim.
      return run;
    }
  });
}

/**
 * Splits on `sep` outside quotes and brackets. Returns null when quotes or brackets do not
 * balance, so the caller can answer a clear 400 instead of guessing.
 */
export function splitTopLevel(text: string, sep: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth < 0) return null;
    } else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}

/** `"x"` → `x`; anything else unchanged. */
export function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
