import { open, readdir, realpath, stat } from 'node:fs/promises';

/** The few facts the engine needs about a path (a subset of fs.Stats). */
export type FileFacts = {
  isFile(): boolean;
  isDirectory(): boolean;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
};

/**
 * The engine's only file-system seam. Production uses node:fs; tests wrap it to inject faults
 * such as EACCES, because tests run as root and `chmod 000` cannot make a file unreadable.
 */
export interface EngineFs {
  /** Follows symlinks, like fs.stat. */
  stat(path: string): Promise<FileFacts>;
  /** Entry names of a directory. */
  readdir(path: string): Promise<string[]>;
  /** Opens for reading; the engine only probes readability and closes at once. */
  open(path: string): Promise<{ close(): Promise<void> }>;
  /** The path with every symlink resolved, like fs.realpath. */
  realpath(path: string): Promise<string>;
}

/** The real file system. */
export const nodeFs: EngineFs = {
  stat: (path) => stat(path),
  readdir: (path) => readdir(path),
  open: (path) => open(path, 'r'),
  realpath: (path) => realpath(path),
};

/** The errno code of a Node system error, if any. */
export function errnoCode(thrown: unknown): string | undefined {
  if (typeof thrown === 'object' && thrown !== null && 'code' in thrown) {
    const code = (thrown as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EBUSY']);

/** True for errors meaning "the file exists but we may not read it now". */
export function isPermissionError(thrown: unknown): boolean {
  const code = errnoCode(thrown);
  return code !== undefined && PERMISSION_CODES.has(code);
}
