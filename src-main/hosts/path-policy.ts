import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { appError, FerryError } from '../../src-shared/errors.js';
import type { PathGate } from '../engine/expand-paths.js';

/** Env var listing extra folders (path.delimiter-separated) the renderer may name by path. */
export const ALLOWED_ROOTS_ENV = 'FERRY_ALLOWED_ROOTS';

/** Grants kept per session; beyond this the oldest go (a drop of more files than this is rare). */
const MAX_GRANTS = 100_000;

/** Folders named in FERRY_ALLOWED_ROOTS: the explicit roots, the same for both hosts. */
export function explicitRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[ALLOWED_ROOTS_ENV] ?? '').split(path.delimiter).filter((p) => p.trim() !== '');
}

/**
 * Which local paths a renderer may ask the engine to read. A compromised or buggy renderer must
 * not be able to queue `/etc/shadow` or `~/.ssh/id_ed25519` for upload by naming it, so a path
 * from the renderer must resolve (after symlinks) to something the user gave Ferry:
 * * a file or folder the user dropped (Electron's preload derives its real path from the File
 *   object with webUtils.getPathForFile, which a page cannot forge) or picked in a native dialog
 *   opened by main: `grant()`;
 * * a folder the user chose to watch (`watched`);
 * * an explicit root (FERRY_ALLOWED_ROOTS, or createApp's `allowedRoots`). Deliberately not a
 *   setting the window can change: `settings:set` would let the renderer widen its own policy.
 * Nothing else: not HOME, not mounted volumes. Browser mode streams dropped files instead of
 * naming them, and watches any folder the page names (the page is the user, behind its token),
 * so only the explicit roots count there for plain uploads.
 */
export interface PathPolicy {
  /** Throws a typed `forbidden` (or `bad_request`) error for the first path outside what was given. */
  assertAllowed(paths: readonly string[]): Promise<void>;
  /** The user gave these (a drop, a native dialog): they, and what is inside a granted folder, may be read. */
  grant(paths: readonly string[]): Promise<void>;
  /**
   * The same rule for the folder walk (engine/expand-paths.ts): every file and folder it reaches
   * must lie, on its real path, inside what was given; a symlink may not lead out.
   */
  gate(): Promise<PathGate>;
}

export type PathPolicyOptions = {
  readonly explicit: readonly string[];
  /** The watched folders, read at every check (folders come and go). */
  readonly watched?: () => readonly string[];
};

export function createPathPolicy(opts: PathPolicyOptions): PathPolicy {
  /** Real paths granted this session; a Set keeps membership checks cheap for big drops. */
  const grants = new Set<string>();
  /** Grants resolve paths asynchronously; a check waits for the ones sent before it. */
  let granting: Promise<void> = Promise.resolve();

  const addGrants = async (paths: readonly string[]): Promise<void> => {
    for (const p of paths) {
      if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('\0')) continue;
      // A path that does not exist cannot be read; nothing to grant.
      const real = await realpath(p).catch(() => null);
      if (real === null) continue;
      grants.delete(real); // re-adding moves it to the newest end
      grants.add(real);
      if (grants.size > MAX_GRANTS) grants.delete(grants.values().next().value as string);
    }
  };

  /** Every real root right now: explicit, watched and granted. */
  const currentRoots = async (): Promise<ReadonlySet<string>> => {
    await granting;
    const listed = [...opts.explicit, ...(opts.watched?.() ?? [])];
    const real = (await Promise.all(listed.map((r) => realpath(r).catch(() => null)))).filter((r): r is string => r !== null);
    return new Set([...real, ...grants]);
  };

  return {
    grant(paths) {
      granting = granting.then(() => addGrants(paths));
      return granting;
    },
    async gate() {
      const roots = await currentRoots();
      return (real) => withinAny(real, roots);
    },
    async assertAllowed(paths) {
      const roots = await currentRoots();
      for (const p of paths) {
        if (!path.isAbsolute(p) || p.includes('\0')) {
          throw new FerryError(appError('bad_request', 'Paths must be absolute.', { retryable: false }));
        }
        // A path that does not exist is left for the engine to report as skipped.
        const resolved = await realpath(p).catch(() => path.resolve(p));
        if (!withinAny(resolved, roots)) {
          throw new FerryError(appError('forbidden', `Ferry may not read ${p}: it is outside the files and folders you gave it.`, { retryable: false }));
        }
      }
    },
  };
}

/** Is `target` one of `roots` or inside one? Walks up the target's folders (cheap for many roots). */
function withinAny(target: string, roots: ReadonlySet<string>): boolean {
  let at = target;
  for (;;) {
    if (roots.has(at)) return true;
    const parent = path.dirname(at);
    if (parent === at) return false;
    at = parent;
  }
}

/**
 * Asks the person, outside the renderer's reach (Electron: a native message box), whether Ferry
 * may read these paths for `purpose`. Resolves true only on their explicit yes.
 */
export type ConfirmPaths = (paths: readonly string[], purpose: string) => Promise<boolean>;

/**
 * The check for paths the window typed rather than picked (a watch folder): what the policy
 * already allows passes; anything else passes only once the person confirms it in `confirm`,
 * and is then granted like a picked folder. A compromised renderer can type any path, but it
 * cannot answer a native dialog. Without `confirm` this is the plain policy.
 */
export function confirmingAssert(policy: PathPolicy, confirm: ConfirmPaths | undefined, purpose: string): (paths: readonly string[]) => Promise<void> {
  return async (paths) => {
    try {
      await policy.assertAllowed(paths);
    } catch (thrown) {
      if (confirm === undefined || !(thrown instanceof FerryError) || thrown.error.code !== 'forbidden') throw thrown;
      if (!(await confirm(paths, purpose))) {
        throw new FerryError(appError('aborted', `You did not allow Ferry to ${purpose}.`, { retryable: false }));
      }
      await policy.grant(paths);
      await policy.assertAllowed(paths);
    }
  };
}
