/** The display name of a history entry: the last path segment (either separator). */
export function historyName(sourcePath: string): string {
  return sourcePath.split(/[\\/]/).pop() ?? sourcePath;
}

/** The one name-matching rule both journals use, so SQLite and memory agree exactly. */
export function nameMatches(sourcePath: string, text: string): boolean {
  return historyName(sourcePath).toLowerCase().includes(text.toLowerCase());
}
