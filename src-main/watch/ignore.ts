import path from 'node:path';
import picomatch from 'picomatch';
import type { WatchFolder } from '../../src-shared/ipc/channels.js';

/**
 * Names editors, browsers and office suites use for scratch and lock files (row 17). They are
 * never uploaded; the final file appears later under its real name (temp-then-rename), and that
 * name is what we upload.
 */
const TEMP_PATTERNS: readonly RegExp[] = [
  /\.sw[a-px]$/i, // vim swap files (.swp, .swo …) and its .swx probe
  /~$/, // backup copies (x~)
  /\.(tmp|temp|part|partial|crdownload|download)$/i, // downloads and atomic-save temps
  /^~\$/, // Microsoft Office lock (~$x.docx)
  /^\.~lock\..*#$/, // LibreOffice lock
  /^\.#/, // Emacs lock
  /^4913$/, // vim's write probe
  /^\.DS_Store$/,
  /^Thumbs\.db$/i,
  /^desktop\.ini$/i,
];

/** True when a base name is an editor temp, lock or OS metadata file. */
export function isTempName(name: string): boolean {
  return TEMP_PATTERNS.some((re) => re.test(name));
}

/** `/`-separated path of `abs` under `root`, or null when it is not strictly inside. */
export function relativeInside(root: string, abs: string): string | null {
  const rel = path.relative(root, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Compiled include/exclude rules of one folder. */
export type RuleMatcher = {
  /** For chokidar's `ignored`: temp names, excluded paths and the move target never enter. */
  ignored(absPath: string): boolean;
  /** Include globs apply to files only, so a directory is never skipped for not being `*.jpg`. */
  includesFile(relativePath: string): boolean;
};

/** Compiles a folder's globs once; patterns match `/`-separated paths relative to the root. */
export function compileRules(folder: Pick<WatchFolder, 'path' | 'include' | 'exclude' | 'afterUpload'>): RuleMatcher {
  const opts = { dot: true };
  const include = folder.include.length > 0 ? picomatch(folder.include, opts) : () => true;
  const exclude = folder.exclude.length > 0 ? picomatch(folder.exclude, opts) : () => false;
  // Files moved after upload must not come back as new files when the target is inside the root.
  const moveTarget = folder.afterUpload.kind === 'move' ? path.resolve(folder.afterUpload.to) : null;
  return {
    ignored(absPath) {
      if (moveTarget !== null && (absPath === moveTarget || absPath.startsWith(moveTarget + path.sep))) return true;
      const rel = relativeInside(folder.path, absPath);
      if (rel === null) return false;
      if (isTempName(path.basename(absPath))) return true;
      return exclude(rel);
    },
    includesFile: (rel) => include(rel) && !exclude(rel),
  };
}
