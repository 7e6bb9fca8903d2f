import { constants, type BigIntStats } from 'node:fs';
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

/** An open source file: the part of fs.promises.FileHandle the engine uses. */
export type SourceHandle = {
  stat(opts: { bigint: true }): Promise<BigIntStats>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
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
  /** Opens for reading (a probe of readability, or one read of a small file whole). */
  open(path: string): Promise<SourceHandle>;
  /** The path with every symlink resolved, like fs.realpath. */
  realpath(path: string): Promise<string>;
}

/** The real file system. */
export const nodeFs: EngineFs = {
  stat: (path) => stat(path),
  readdir: (path) => readdir(path),
  // Non-blocking: opening a FIFO must not hang the attempt (fstat then shows it is no file).
  // Windows has no such flag, nor FIFOs at a path.
  open: (path) => open(path, constants.O_RDONLY | ((constants as Partial<typeof constants>).O_NONBLOCK ?? 0)),
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
