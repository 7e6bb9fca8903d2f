import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { afterUploadSchema } from '../../src-shared/ipc/channels.js';
import { errnoCode } from '../engine/file-system.js';
import { relativeInside } from './ignore.js';

export type AfterUpload = z.infer<typeof afterUploadSchema>;

/** The identity of the bytes that were uploaded (from the stable-file check). */
export type UploadedIdentity = { readonly size: number; readonly mtimeMs: number; readonly dev: number; readonly ino: number };

export type AfterUploadOutcome =
  | { readonly kind: 'kept' }
  | { readonly kind: 'moved'; readonly to: string }
  | { readonly kind: 'deleted' }
  /** Nothing done: the file changed or vanished since the upload, so it is not what was sent. */
  | { readonly kind: 'skipped'; readonly reason: string };

const MAX_SUFFIX = 10_000;

/**
 * Runs a folder's after-upload action. The caller invokes it only once the job is `done`
 * (verified); here we also refuse to move or delete a file whose size, mtime or inode changed
 * since the upload, because then the local bytes are not the ones that were verified.
 * Moves never overwrite: a hard link (or an exclusive copy across devices) claims the target
 * name atomically, and a taken name gets a ` (n)` suffix.
 */
export async function applyAfterUpload(action: AfterUpload, root: string, file: string, uploaded: UploadedIdentity): Promise<AfterUploadOutcome> {
  if (action.kind === 'keep') return { kind: 'kept' };
  let now;
  try {
    now = await lstat(file);
  } catch {
    return { kind: 'skipped', reason: 'the file is gone' };
  }
  if (now.size !== uploaded.size || now.mtimeMs !== uploaded.mtimeMs || now.ino !== uploaded.ino || now.dev !== uploaded.dev) {
    return { kind: 'skipped', reason: 'the file changed after it was uploaded' };
  }
  if (action.kind === 'delete') {
    await unlink(file);
    return { kind: 'deleted' };
  }
  const relDir = path.dirname(relativeInside(root, file) ?? path.basename(file));
  const targetDir = path.join(action.to, relDir === '.' ? '' : relDir);
  await mkdir(targetDir, { recursive: true });
  const to = await claimCopy(file, targetDir);
  await unlink(file);
  return { kind: 'moved', to };
}

/** Places a copy of `file` under a free name in `dir` and returns that name's path. */
async function claimCopy(file: string, dir: string): Promise<string> {
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  for (let n = 0; n < MAX_SUFFIX; n++) {
    const candidate = path.join(dir, n === 0 ? `${stem}${ext}` : `${stem} (${n})${ext}`);
    try {
      await link(file, candidate);
      return candidate;
    } catch (thrown) {
      const code = errnoCode(thrown);
      if (code === 'EEXIST') continue;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw thrown;
    }
    try {
      // Across devices (or where hard links are not supported): copy, refusing to overwrite.
      await copyFile(file, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (thrown) {
      if (errnoCode(thrown) !== 'EEXIST') throw thrown;
    }
  }
  throw new Error(`No free name for ${path.basename(file)} in ${dir}`);
}
