/**
 * Remote file names must be safe on every service and every OS a user might download to. The
 * rules are deterministic (same input → same output) so a re-upload keeps its name:
 * NFC-normalised; no control characters or NUL; no path separators; no `..` anywhere; no Windows
 * reserved device names or trailing dots/spaces; at most 255 UTF-8 bytes with the extension kept.
 */

const MAX_NAME_BYTES = 255;
/** Extensions longer than this are treated as part of the stem when truncating. */
const MAX_EXT_BYTES = 32;
const FALLBACK_NAME = 'file';
// Windows reserves these device names whatever follows the first dot ("CON.txt.bak" too).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
const UNSAFE_CHARS = /[\u0000-\u001f\u007f/\\<>:"|?*]/g;

const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).length;

/** Sanitises one file name (a single path segment) for use as a remote name. */
export function sanitizeFileName(input: string): string {
  let name = input.normalize('NFC').replace(UNSAFE_CHARS, '_');
  // Runs of dots collapse to one so no `..` can ever appear, even mid-name.
  name = name.replace(/\.{2,}/g, '.');
  name = name.trim().replace(/[. ]+$/, '');
  if (name === '') name = FALLBACK_NAME;
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  const { stem, ext } = splitExtension(name);
  return truncate(stem, ext);
}

/**
 * Sanitises a `/`- or `\`-separated relative path segment by segment. Empty, `.` and `..`
 * segments are dropped (never resolved), so the result cannot climb out of its root.
 * Returns null when nothing is left.
 */
export function sanitizeRelativePath(input: string): string | null {
  const segments = input
    .split(/[/\\]+/)
    .filter((seg) => seg !== '' && seg !== '.' && seg !== '..')
    .map(sanitizeFileName);
  return segments.length > 0 ? segments.join('/') : null;
}

function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  // A leading dot (".bashrc") is part of the stem, not an extension.
  if (dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  const ext = name.slice(dot);
  if (byteLength(ext) > MAX_EXT_BYTES) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext };
}

function truncate(stem: string, ext: string): string {
  if (byteLength(stem) + byteLength(ext) <= MAX_NAME_BYTES) return stem + ext;
  const budget = MAX_NAME_BYTES - byteLength(ext);
  let out = '';
  let used = 0;
  // Iterate by code point so a surrogate pair or multi-byte character is never split.
  for (const ch of stem) {
    const n = byteLength(ch);
    if (used + n > budget) break;
    out += ch;
    used += n;
  }
  out = out.replace(/[. ]+$/, '');
  return (out === '' ? FALLBACK_NAME : out) + ext;
}
