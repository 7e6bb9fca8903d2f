import { stat } from 'node:fs/promises';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { fileError } from './file-reader.js';

/**
 * Change detection for the source of one upload (reliability matrix row 6). The identity is
 * captured once before the first byte leaves; every later check compares against it. Any
 * difference means the parts on the server may mix two versions of the file, so the upload is
 * aborted with `file_changed` (not retryable here: the engine waits until the file is stable).
 */

/** What "the same file" means: size, modification time (ns), and the inode it lives in. */
export type FileIdentity = {
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly dev: bigint;
  readonly ino: bigint;
};

export type FileGuard = {
  readonly identity: FileIdentity;
  /** Re-stats the file; throws `file_changed` if size, mtime or inode differ. `stage` names the moment for the message. */
  check(stage: string): Promise<void>;
  /**
   * Records the MD5 of a part as read; a part read again (a retry) must hash the same, because
   * a same-size rewrite within the mtime granularity is only visible in the bytes.
   */
  checkPartHash(part: number, md5: string): void;
};

/** Reads the identity with nanosecond mtimes (a millisecond float can hide quick rewrites). */
export async function readIdentity(filePath: string): Promise<FileIdentity> {
  try {
    const s = await stat(filePath, { bigint: true });
    if (!s.isFile()) throw new FerryError(appError('not_a_file', `${filePath} is not a regular file.`, { retryable: false }));
    return { size: Number(s.size), mtimeNs: s.mtimeNs, dev: s.dev, ino: s.ino };
  } catch (err) {
    throw fileError(err, filePath);
  }
}

/** Names the first difference between two identities, or null when they match. */
export function identityChange(before: FileIdentity, now: FileIdentity): 'size' | 'mtime' | 'inode' | null {
  if (now.dev !== before.dev || now.ino !== before.ino) return 'inode';
  if (now.size !== before.size) return 'size';
  if (now.mtimeNs !== before.mtimeNs) return 'mtime';
  return null;
}

/** A typed "the source changed" error; `details.changed` says what gave it away. */
export function fileChangedError(name: string, stage: string, changed: string): FerryError {
  const what = changed === 'inode' ? 'was replaced' : changed === 'size' ? 'changed size' : changed === 'part-hash' ? 'changed content' : 'was modified';
  return new FerryError(
    appError('file_changed', `${name} ${what} while uploading (${stage}); it will be uploaded again once it is stable.`, {
      retryable: false,
      details: { stage, changed },
    }),
  );
}

/**
 * Captures the source's identity now. `expectedSize` is the size the upload was planned for:
 * a file that already differs from it fails at once, before a session is opened.
 */
export async function openFileGuard(filePath: string, expectedSize: number, name = filePath): Promise<FileGuard> {
  const identity = await readIdentity(filePath);
  if (identity.size !== expectedSize) throw fileChangedError(name, 'before upload', 'size');
  const hashes = new Map<number, string>();
  return {
    identity,
    async check(stage) {
      let now: FileIdentity;
      try {
        now = await readIdentity(filePath);
      } catch (err) {
        // Gone or turned into something else: the upload can no longer be trusted either way.
        if (err instanceof FerryError && err.error.code === 'permission') throw err;
        throw fileChangedError(name, stage, 'inode');
      }
      const changed = identityChange(identity, now);
      if (changed !== null) throw fileChangedError(name, stage, changed);
    },
    checkPartHash(part, md5) {
      const seen = hashes.get(part);
      if (seen === undefined) hashes.set(part, md5);
      else if (seen !== md5) throw fileChangedError(name, `part ${part} re-read`, 'part-hash');
    },
  };
}
