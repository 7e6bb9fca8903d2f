/** The display name of a history entry: the last path segment (either separator). */
export function historyName(sourcePath: string): string {
  return sourcePath.split(/[\\/]/).pop() ?? sourcePath;
}

/** What a search and the Library show for an entry: its own name, else its source's last segment. */
export function entryName(e: { readonly name?: string | null; readonly sourcePath: string }): string {
  return e.name ?? historyName(e.sourcePath);
}

/**
 * The one search rule both journals use, so SQLite and memory agree exactly: a case-insensitive
 * substring of the name or of the folder path inside a dropped folder (never of the local folder
 * the file came from: that is the user's disk layout, not what they named).
 */
export function entryMatches(e: { readonly name?: string | null; readonly sourcePath: string; readonly relativePath?: string | null }, text: string): boolean {
  const needle = text.toLowerCase();
  return entryName(e).toLowerCase().includes(needle) || (e.relativePath ?? '').toLowerCase().includes(needle);
}


/** The folder part of a path inside a dropped folder (`trip/day1/` of `trip/day1/a.jpg`), or null. */
export function folderOfPath(relativePath: string | null | undefined): string | null {
  const cut = relativePath?.lastIndexOf('/') ?? -1;
  return relativePath && cut > 0 ? relativePath.slice(0, cut + 1) : null;
}

/** Whether an entry sits in this folder (`trip/`, ending in `/`) or any folder inside it. */
export function inFolder(relativePath: string | null | undefined, folder: string): boolean {
  return (relativePath ?? '').startsWith(folder);
}

/** The key the `name` sort orders by (both journals, so they agree): the shown name, lower-cased. */
export function entrySortName(e: { readonly name?: string | null; readonly sourcePath: string }): string {
  return entryName(e).toLowerCase();
}
