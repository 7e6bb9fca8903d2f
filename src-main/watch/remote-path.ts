import { sanitizeFileName, sanitizeRelativePath } from '../engine/name-sanitize.js';

/**
 * Builds the remote key of a watched file from its folder's template (row 11). The result is
 * deterministic (same file → same key, so a re-upload lands in the same place), every segment
 * goes through the engine's name sanitiser, and then through an allow-list: anything outside it
 * becomes `_`. No segment is empty, `.` or `..`, so a key can never climb out of its prefix.
 */

/** Characters a remote key segment may contain: letters, marks, digits and a few safe symbols. */
export const REMOTE_SEGMENT_ALLOWED = /^[\p{L}\p{M}\p{N} ._\-()[\]+,=@&!~']+$/u;
const NOT_ALLOWED = /[^\p{L}\p{M}\p{N} ._\-()[\]+,=@&!~']/gu;
/** Keys longer than this (UTF-8 bytes) lose leading folder segments; the file name is kept. */
export const MAX_REMOTE_KEY_BYTES = 1024;
const FALLBACK_SEGMENT = 'file';

/** What a template can say about one file. Paths use `/` separators. */
export type RemotePathFacts = {
  /** Base name of the watched root. */
  readonly folder: string;
  /** Path of the file relative to the watched root, e.g. `2024/trip/a.jpg`. */
  readonly relativePath: string;
  /** Modification time (epoch ms); the date tokens come from it, in UTC, so keys are stable. */
  readonly mtimeMs: number;
};

const encoder = new TextEncoder();

/** One sanitised, allow-listed segment; never empty, `.` or `..`. */
export function safeSegment(input: string): string {
  const first = sanitizeFileName(input).replace(NOT_ALLOWED, '_');
  // A second pass re-applies the dot, trailing-space and reserved-name rules to what the
  // allow-list produced (e.g. `a?.` → `a_.` → `a_`).
  const out = sanitizeFileName(first);
  return REMOTE_SEGMENT_ALLOWED.test(out) ? out : FALLBACK_SEGMENT;
}

/** Expands `template` for one file into a sanitised remote key (`a/b/c.jpg`). */
export function buildRemotePath(template: string, facts: RemotePathFacts): string {
  const rel = facts.relativePath.split(/[/\\]+/).filter((s) => s !== '');
  const name = rel[rel.length - 1] ?? FALLBACK_SEGMENT;
  const dot = name.lastIndexOf('.');
  const hasExt = dot > 0 && dot < name.length - 1;
  const date = new Date(facts.mtimeMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const tokens: Record<string, string> = {
    folder: facts.folder,
    path: rel.join('/'),
    dir: rel.slice(0, -1).join('/'),
    name,
    stem: hasExt ? name.slice(0, dot) : name,
    ext: hasExt ? name.slice(dot + 1) : '',
    yyyy: String(date.getUTCFullYear()),
    mm: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
  };
  const expanded = template.replace(/\{([a-z]+)\}/g, (whole, token: string) => tokens[token] ?? whole);
  const cleaned = sanitizeRelativePath(expanded) ?? name;
  const segments = cleaned.split('/').map(safeSegment);
  return fitKey(segments);
}

/** Drops leading segments until the key fits MAX_REMOTE_KEY_BYTES (the last one always stays). */
function fitKey(segments: string[]): string {
  let parts = segments.length > 0 ? segments : [FALLBACK_SEGMENT];
  while (parts.length > 1 && encoder.encode(parts.join('/')).length > MAX_REMOTE_KEY_BYTES) parts = parts.slice(1);
  return parts.join('/');
}

/** True when every segment of `key` is allowed and none is `.`/`..` (the row-11 criterion). */
export function isSafeRemoteKey(key: string): boolean {
  if (key === '' || encoder.encode(key).length > MAX_REMOTE_KEY_BYTES) return false;
  return key.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && REMOTE_SEGMENT_ALLOWED.test(seg));
}
