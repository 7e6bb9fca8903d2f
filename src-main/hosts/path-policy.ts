import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { PathGate } from '../engine/expand-paths.js';

/** Env var listing extra folders (path.delimiter-separated) the renderer may name by path. */
export const ALLOWED_ROOTS_ENV = 'FERRY_ALLOWED_ROOTS';

/**
 * Which local paths a renderer may ask the engine to read. A compromised or buggy renderer must
 * not be able to queue `/etc/shadow` or `~/.ssh/id_ed25519` for upload by naming it, so paths
 * from `jobs:add-paths` must resolve (after symlinks) inside one of these roots.
 * Browser mode: the renderer never sees real paths (drops are streamed), so only the roots from
 * the env var count. Electron: dropped files come from the user's own folders and volumes.
 */
export function defaultAllowedRoots(host: 'web' | 'electron', env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env[ALLOWED_ROOTS_ENV] ?? '').split(path.delimiter).filter((p) => p.trim() !== '');
  if (host === 'web') return extra;
  const volumes = process.platform === 'darwin' ? ['/Volumes'] : process.platform === 'win32' ? [] : ['/media', '/mnt', '/run/media'];
  return [os.homedir(), ...volumes, ...extra];
}

/**
 * A gate for the folder walk (engine/expand-paths.ts): true when a real path lies inside one of
 * the roots, themselves resolved once here. Roots that do not exist allow nothing.
 */
export async function rootGate(roots: readonly string[]): Promise<PathGate> {
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
  return (real) => realRoots.some((root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}

/** Resolves every path and throws a typed `forbidden` error for the first one outside the roots. */
export async function assertPathsAllowed(paths: readonly string[], roots: readonly string[]): Promise<void> {
  const inside = await rootGate(roots);
  for (const p of paths) {
    if (!path.isAbsolute(p) || p.includes('\0')) {
      throw new FerryError(appError('bad_request', 'Paths must be absolute.', { retryable: false }));
    }
    // A path that does not exist is left for the engine to report as skipped.
    const real = await realpath(p).catch(() => path.resolve(p));
    if (!inside(real)) {
      throw new FerryError(appError('forbidden', `Ferry may not read ${p}: it is outside the folders it is allowed to upload from.`, { retryable: false }));
    }
  }
}
