import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { errnoCode } from '../engine/file-system.js';
import type { RuleMatcher } from './ignore.js';
import { relativeInside } from './ignore.js';
import type { Observation } from './stability.js';

/** What one folder's watcher tells the service. Paths are absolute. */
export type FolderEvents = {
  /** A regular file (not a link) that passes the rules appeared or changed. */
  readonly onFile: (path: string, seen?: Observation) => void;
  readonly onUnlink: (path: string) => void;
  /** A bad link or a watcher error: logged and shown on the folder, never fatal. */
  readonly onProblem: (path: string | null, message: string) => void;
  /** Initial scan finished; from here on events are live changes. */
  readonly onReady: () => void;
};

export type FolderWatcher = { close(): Promise<void> };

export type WatchFolderOptions = {
  /**
   * Walk the whole folder again this often (ms; 0 = never). A safety net for events the OS or
   * chokidar loses (inotify queue overflow, a folder created and filled faster than its watch is
   * set up): what the walk finds again is already recorded and costs one lstat per file.
   */
  readonly rescanMs?: number;
  /**
   * Starts the live watcher (default: chokidar's `watch`). The seam lets tests hand in a real
   * chokidar watcher that loses chosen events, the failure the re-walks exist for.
   */
  readonly watch?: (root: string, options: ChokidarOptions) => FSWatcher;
};

/** Default full re-walk period: 10 minutes. */
export const DEFAULT_RESCAN_MS = 10 * 60_000;
/** Re-walks of a newly created folder after it appears (ms), covering chokidar's read-then-watch gap. */
const NEW_DIR_REWALKS_MS = [1000, 5000];

/** lstat calls in flight while walking one directory. */
const WALK_BATCH = 64;
/** How long chokidar must be silent before its lost `ready` is presumed (ms). */
const CHOKIDAR_QUIET_MS = 1000;

/**
 * Watches one folder: our own walk for discovery (and catch-up on start), chokidar for live
 * changes. Symlinks are never followed (followSymlinks: false), which stops loops by
 * construction (row 16): since local reads are only allowed inside the watched root (realpath
 * check), a link can only lead to a file already seen at its real path, or outside, where we
 * may not read. Links are inspected instead, so dangling links, loops and links through a
 * file-as-folder are reported.
 *
 * Why our own walk: chokidar 5 (readdirp) aborts a directory's listing when a link's realpath
 * fails with ENOTDIR (`ln -s file/x link`), so its `ready` never comes and the rest of that
 * directory is skipped. `onReady` therefore fires when our walk is done, never waiting on
 * chokidar. Both sources may report the same file; the stability tracker and the ledger make
 * that harmless.
 */
export function watchFolder(
  root: string,
  realRoot: string,
  recursive: boolean,
  rules: RuleMatcher,
  events: FolderEvents,
  opts: WatchFolderOptions = {},
): FolderWatcher {
  const reported = new Set<string>();
  let closed = false;
  let walked = false;
  const inspect = (linkPath: string) => {
    if (reported.has(linkPath)) return;
    reported.add(linkPath);
    void inspectLink(linkPath, realRoot).then((problem) => {
      if (problem && !closed) events.onProblem(linkPath, problem);
    });
  };
  const fileSeen = (p: string, stats?: Pick<Stats, 'size' | 'mtimeMs'>) => {
    const rel = relativeInside(root, p);
    if (closed || rel === null || !rules.includesFile(rel)) return;
    events.onFile(p, stats ? { size: stats.size, mtimeMs: stats.mtimeMs } : undefined);
  };
  const walk = async (dir: string, descend: boolean): Promise<void> => {
    let items;
    try {
      items = await readdir(dir, { withFileTypes: true });
    } catch (thrown) {
      const code = errnoCode(thrown);
      // A folder removed before its (re-)walk is gone, not a problem; its files' unlinks say the rest.
      if (!closed && code !== 'ENOENT') events.onProblem(dir, `Cannot list folder (${code ?? 'error'}).`);
      return;
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    for (const item of items) {
      const full = path.join(dir, item.name);
      if (rules.ignored(full)) continue;
      if (item.isSymbolicLink()) inspect(full);
      else if (item.isDirectory()) subdirs.push(full);
      else if (item.isFile()) files.push(full);
    }
    for (let i = 0; i < files.length && !closed; i += WALK_BATCH) {
      await Promise.all(files.slice(i, i + WALK_BATCH).map((f) => lstat(f).then((st) => fileSeen(f, st), () => undefined)));
    }
    if (descend) for (const sub of subdirs) if (!closed) await walk(sub, true);
  };
  const watcher: FSWatcher = (opts.watch ?? watch)(root, {
    ignoreInitial: false,
    followSymlinks: false,
    alwaysStat: true,
    awaitWriteFinish: false,
    ...(recursive ? {} : { depth: 0 }),
    ignored: (p: string) => rules.ignored(p),
  });
  const onFileEvent = (p: string, stats?: Stats) => {
    if (stats?.isSymbolicLink()) return inspect(p);
    fileSeen(p, stats);
  };
  watcher.on('add', onFileEvent);
  watcher.on('change', onFileEvent);
  watcher.on('unlink', (p) => {
    reported.delete(p);
    events.onUnlink(p);
  });
  // A folder created after the walk may hold links chokidar will not report, and files written
  // into it between chokidar's listing and its watch going live are reported by no one: walk it
  // now and twice more once its watch surely exists.
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    t.unref?.();
    timers.add(t);
  };
  watcher.on('addDir', (p) => {
    // With subfolders off chokidar still reports the root's own subfolders (depth 0); their
    // files are not watched, so there is nothing to walk.
    if (!walked || p === root || !recursive) return;
    void walk(p, recursive);
    for (const ms of NEW_DIR_REWALKS_MS) later(ms, () => void walk(p, recursive));
  });
  const rescanMs = opts.rescanMs ?? DEFAULT_RESCAN_MS;
  const rescan = () =>
    later(rescanMs, () => {
      void walk(root, recursive).finally(() => !closed && rescan());
    });
  if (rescanMs > 0) rescan();
  watcher.on('error', (err) => events.onProblem(null, `Watcher error: ${err instanceof Error ? err.message : String(err)}`));
  // Ready = our walk is done and chokidar's scan is done (its watchers are live). If chokidar's
  // `ready` is lost (see above), its scan counts as done once it has been quiet for a while.
  let chokidarReady = false;
  let lastChokidarEvent = Date.now();
  let quietTimer: ReturnType<typeof setTimeout> | null = null;
  watcher.on('all', () => (lastChokidarEvent = Date.now()));
  const maybeReady = () => {
    if (closed || !walked) return;
    if (chokidarReady) return finish();
    const quietFor = Date.now() - lastChokidarEvent;
    if (quietFor >= CHOKIDAR_QUIET_MS) return finish();
    quietTimer = setTimeout(maybeReady, CHOKIDAR_QUIET_MS - quietFor);
  };
  let announced = false;
  const finish = () => {
    if (quietTimer !== null) clearTimeout(quietTimer);
    quietTimer = null;
    if (announced || closed) return;
    announced = true;
    events.onReady();
  };
  watcher.on('ready', () => {
    chokidarReady = true;
    maybeReady();
  });
  void walk(root, recursive).then(() => {
    walked = true;
    maybeReady();
  });
  return {
    close: async () => {
      closed = true;
      if (quietTimer !== null) clearTimeout(quietTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await watcher.close();
    },
  };
}

/** Why a link inside the root is a problem, or null when it is a harmless alias. */
async function inspectLink(linkPath: string, realRoot: string): Promise<string | null> {
  let target;
  try {
    target = await stat(linkPath);
  } catch (thrown) {
    const code = errnoCode(thrown);
    if (code === 'ENOENT') return 'Dangling link: its target does not exist.';
    if (code === 'ENOTDIR') return 'Broken link: it goes through a file as if it were a folder.';
    if (code === 'ELOOP') return 'Link loop: the link points back to itself.';
    return `Unreadable link (${code ?? 'error'}).`;
  }
  const real = await realpath(linkPath).catch(() => null);
  const inside = real !== null && (real === realRoot || relativeInside(realRoot, real) !== null);
  if (target.isDirectory()) {
    // Covers `ln -s .. dir/up`: following it would loop; its files are watched at their real paths.
    return inside
      ? 'Link to a folder inside the watched folder: not followed (its files are watched at their real paths).'
      : 'Link to a folder outside the watched folder: not followed.';
  }
  // A link to a file inside the root is an alias of a file we already watch: (dev, ino) once.
  return inside ? null : 'Link to a file outside the watched folder: not uploaded.';
}
