import { basename, join } from 'node:path';
import { errnoCode, type EngineFs } from './file-system.js';

/** One regular file found under what the user added. */
export type FoundFile = {
  readonly path: string;
  /** `<dropped dir name>/<sub/path>` with `/` separators; null for a file added directly. */
  readonly relativePath: string | null;
  readonly size: number;
};

/**
 * Decides on a path's real location (every symlink resolved) whether the walk may read it. The
 * renderer's `jobs:add-paths` passes one built from the allowed roots (hosts/path-policy.ts),
 * so a link inside an allowed folder cannot lead the walk outside it.
 */
export type PathGate = (realPath: string) => boolean;

/** The `skipped` reason for a path the gate refused. */
export const OUTSIDE_ROOTS = 'outside the folders Ferry may upload from';

export type Expansion = {
  readonly files: FoundFile[];
  readonly skipped: { path: string; reason: string }[];
};

/**
 * Expands user-added paths into regular files. Directories are walked recursively; symlinks are
 * followed, but each directory (by dev:ino) is entered at most once, so `ln -s .. loop` cannot
 * recurse forever and a file reachable twice is added once. Sockets, FIFOs and devices are
 * skipped, as are dangling links inside a directory. With a `gate`, every folder entered and every
 * file yielded must pass it on its real path; a refused one is skipped (a folder is not walked).
 */
export async function expandPaths(fs: EngineFs, paths: readonly string[], gate?: PathGate): Promise<Expansion> {
  const files: FoundFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();

  const addFile = (path: string, relativePath: string | null, facts: { size: number; dev: number; ino: number }) => {
    const key = `${facts.dev}:${facts.ino}`;
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    files.push({ path, relativePath, size: facts.size });
  };

  const walk = async (dir: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch (thrown) {
      skipped.push({ path: dir, reason: reasonFor(thrown) });
      return;
    }
    names.sort();
    for (const name of names) await visit(join(dir, name), `${rel}/${name}`);
  };

  /**
   * One path: a folder is walked once (by dev:ino) under `rel`, a file is added, anything else
   * or an unreadable path is skipped with its reason. `rel` is the relative path for a file.
   */
  async function visit(path: string, rel: string | null, folderName = rel): Promise<void> {
    let facts;
    try {
      facts = await fs.stat(path);
    } catch (thrown) {
      skipped.push({ path, reason: reasonFor(thrown) });
      return;
    }
    if (gate && (facts.isDirectory() || facts.isFile()) && !(await passes(path))) return;
    if (facts.isDirectory()) {
      const key = `${facts.dev}:${facts.ino}`;
      if (seenDirs.has(key)) return;
      seenDirs.add(key);
      await walk(path, folderName ?? 'folder');
    } else if (facts.isFile()) {
      addFile(path, rel, facts);
    } else {
      skipped.push({ path, reason: 'not a regular file' });
    }
  }

  /** The real path decides, so a link anywhere along the way (the file itself or a folder) counts. */
  async function passes(path: string): Promise<boolean> {
    let real: string;
    try {
      real = await fs.realpath(path);
    } catch (thrown) {
      skipped.push({ path, reason: reasonFor(thrown) });
      return false;
    }
    if (gate?.(real)) return true;
    skipped.push({ path, reason: OUTSIDE_ROOTS });
    return false;
  }

  // A path the user added: its own name starts the relative paths of what a folder holds.
  for (const path of paths) await visit(path, null, basename(path) || 'folder');

  return { files, skipped };
}

function reasonFor(thrown: unknown): string {
  const code = errnoCode(thrown);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'not found';
  if (code === 'ELOOP') return 'symlink loop';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? 'unreadable';
}
