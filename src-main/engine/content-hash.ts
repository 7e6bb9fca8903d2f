import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { UploadSource } from './ports.js';

/**
 * The version of a file a digest describes: size, nanosecond mtime and inode, as a provider's
 * file guard sees them (providers/filestack/file-guard.ts FileIdentity has the same shape).
 */
export type FileVersion = { readonly size: number; readonly mtimeNs: bigint; readonly dev: bigint; readonly ino: bigint };

/** Digests of one streaming read of a file. Hex strings are lowercase. */
export type ContentDigest = {
  readonly sha256: string;
  readonly md5: string;
  readonly size: number;
  /** Present when the file looked the same before and after the read, so the digest belongs to it. */
  readonly version?: FileVersion;
};

/** An upload source that carries the engine's digest, so a provider need not read the file again to verify. */
export type DigestedSource = UploadSource & { readonly digest?: ContentDigest };

/** The engine's digest of `source`, if it passed one (see DigestedSource). */
export function sourceDigest(source: UploadSource): ContentDigest | undefined {
  return 'digest' in source ? (source as DigestedSource).digest : undefined;
}

/** True when `digest` was taken of exactly this version of the file (same size, mtime, inode). */
export function digestMatches(digest: ContentDigest | undefined, version: FileVersion): digest is ContentDigest & { version: FileVersion } {
  const v = digest?.version;
  return v !== undefined && v.size === version.size && v.mtimeNs === version.mtimeNs && v.dev === version.dev && v.ino === version.ino;
}

async function versionOf(path: string): Promise<FileVersion | null> {
  try {
    const s = await stat(path, { bigint: true });
    return { size: Number(s.size), mtimeNs: s.mtimeNs, dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}

/**
 * Streams a file once through SHA-256 (the dedupe key) and MD5 (what the server reports, so we
 * can tell the bytes we hashed are the bytes that were stored). Memory stays at one read buffer
 * whatever the size; `signal` stops the read. The file's version is recorded when it did not
 * change during the read, so the provider can reuse the MD5 instead of hashing the file again.
 */
export async function hashContent(path: string, signal: AbortSignal): Promise<ContentDigest> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  const before = await versionOf(path);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal }) as AsyncIterable<Buffer>) {
      sha256.update(chunk);
      md5.update(chunk);
      size += chunk.length;
    }
  } catch (thrown) {
    if (signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
    throw thrown;
  }
  const after = await versionOf(path);
  const digest = { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
  const stable = before !== null && after !== null && before.size === size && digestMatches({ ...digest, version: before }, after);
  return stable ? { ...digest, version: before } : digest;
}
