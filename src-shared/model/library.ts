/**
 * What the Library knows beyond an upload's link: the type filters its pickers offer and how
 * Ferry made an entry. Zod-free on purpose, so the renderer can import it at runtime too.
 */

/**
 * Type filters of `library:list` (and of the Studio/Media pickers). `media` is audio or video;
 * `other` is everything that is none of image, video or audio (documents, archives, unknown).
 */
export const LIBRARY_TYPES = ['image', 'video', 'audio', 'media', 'other'] as const;
export type LibraryType = (typeof LIBRARY_TYPES)[number];

/**
 * How an entry came to be, when it is not a plain upload: the same bytes dropped again under
 * another name (`duplicate`: same remote file, no second copy), a Studio result stored as a new
 * file (`transform`) or a Media conversion (`conversion`).
 */
export const MADE_KINDS = ['duplicate', 'transform', 'conversion'] as const;
export type MadeKind = (typeof MADE_KINDS)[number];

/** True when a MIME type belongs to the type filter (no filter: everything). */
export function mimeMatchesType(mimetype: string | null | undefined, type: LibraryType | undefined): boolean {
  if (type === undefined) return true;
  const m = (mimetype ?? '').toLowerCase();
  if (type === 'media') return m.startsWith('audio/') || m.startsWith('video/');
  if (type === 'other') return !m.startsWith('image/') && !m.startsWith('audio/') && !m.startsWith('video/');
  return m.startsWith(`${type}/`);
}

/** Orders of `library:list`; `newest` (by finish time) is the default. `name` is A–Z, ignoring case. */
export const LIBRARY_SORTS = ['newest', 'oldest', 'largest', 'smallest', 'name'] as const;
export type LibrarySort = (typeof LIBRARY_SORTS)[number];
