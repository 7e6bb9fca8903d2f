import type { BigIntStats } from 'node:fs';
import { sameVersion, versionOfStats, type FileVersion } from './content-key.js';
import type { EngineFs } from './file-system.js';

/**
 * Small sources are read whole, once, at the start of an attempt: one open, two fstats and one
 * read instead of the ~14 file-system calls of separate stat, readability probe, version checks,
 * dedupe read and the provider's own read. The bytes are then the upload's content: they are
 * hashed for the dedupe key and sent as they are, so a retry cannot mix versions.
 */

/** Sources up to this size are read whole (at most this much per file at once in memory). */
export const WHOLE_READ_MAX = 1024 * 1024;

export type WholeRead<T> =
  /** The path is a directory, FIFO, device… */
  | { readonly kind: 'not-a-file' }
  /** `known` recognised this version: nothing was read. */
  | { readonly kind: 'known'; readonly found: T; readonly version: FileVersion }
  /** Bigger than `max` now, or it changed while being read: upload it the regular way. */
  | { readonly kind: 'regular' }
  /** Every byte, and the version the file had both before and after the read. */
  | { readonly kind: 'read'; readonly bytes: Buffer; readonly version: FileVersion };

/**
 * Opens `path` once; errors (missing, unreadable) are thrown as fs errors for classifyFailure.
 * `known` is asked about the version before any byte is read (a file uploaded before as it is).
 */
export async function readWhole<T>(fs: EngineFs, path: string, known: (version: FileVersion) => T | null, max = WHOLE_READ_MAX): Promise<WholeRead<T>> {
  const fh = await fs.open(path);
  try {
    const before = fileVersion(await fh.stat({ bigint: true }));
    if (before === null) return { kind: 'not-a-file' };
    const found = known(before);
    if (found !== null) return { kind: 'known', found, version: before };
    if (before.size > max) return { kind: 'regular' };
    const bytes = Buffer.allocUnsafe(before.size);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await fh.read(bytes, got, bytes.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    // A writer busy between the two stats shows in size or mtime: then nobody can say which
    // version these bytes are, and the regular path (with its change guard) takes over.
    const after = fileVersion(await fh.stat({ bigint: true }));
    return got === before.size && sameVersion(before, after) ? { kind: 'read', bytes, version: before } : { kind: 'regular' };
  } finally {
    await fh.close();
  }
}

/** The version of a regular file; null for a directory, FIFO, device… */
function fileVersion(s: BigIntStats): FileVersion | null {
  return s.isFile() ? versionOfStats(s) : null;
}
