import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appError, FerryError } from '../../../src-shared/errors.js';

/** Where one data folder's running Ferry can be found. */
export type InstancePaths = {
  /** `<data>/run`: private (0700) folder for the lock and, usually, the socket. */
  readonly dir: string;
  /** The lock file: who owns this data folder (see lock.ts). */
  readonly lockFile: string;
  /** Unix domain socket path, or a named pipe on Windows. */
  readonly socket: string;
};

/** Unix socket paths longer than this do not fit sockaddr_un on every OS (macOS: 104 bytes). */
const MAX_SOCKET_PATH = 100;

/**
 * The lock file and socket of `dataDir`. The socket lives beside the lock when its path fits;
 * otherwise in a private per-user folder (XDG_RUNTIME_DIR, else `<tmp>/ferry-<uid>`), named by
 * a hash of the data folder. On Windows it is a named pipe, per user and data folder.
 */
export function instancePaths(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  env: Readonly<Record<string, string | undefined>> = process.env,
): InstancePaths {
  const data = path.resolve(dataDir);
  const dir = path.join(data, 'run');
  const lockFile = path.join(dir, 'instance.json');
  const user = currentUser(env);
  const id = createHash('sha256').update(`${user.name}\0${data}`).digest('hex').slice(0, 24);
  if (platform === 'win32') return { dir, lockFile, socket: `\\\\.\\pipe\\ferry-${id}` };
  const beside = path.join(dir, 'ferry.sock');
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH) return { dir, lockFile, socket: beside };
  const runtime = env.XDG_RUNTIME_DIR?.trim() || path.join(os.tmpdir(), `ferry-${user.id}`);
  return { dir, lockFile, socket: path.join(runtime, `ferry-${id}.sock`) };
}

/** Who we run as; os.userInfo() throws where the uid has no passwd entry (some containers). */
function currentUser(env: Readonly<Record<string, string | undefined>>): { name: string; id: string } {
  const uid = process.getuid?.();
  try {
    const info = os.userInfo();
    return { name: info.username, id: String(uid ?? info.username) };
  } catch {
    const name = env.USER ?? env.USERNAME ?? String(uid ?? 'user');
    return { name, id: String(uid ?? name) };
  }
}

/**
 * Creates `dir` (and parents) and makes sure only this user can enter it: a real folder, not a
 * link, owned by us, mode 0700. Someone else's folder is refused, never used.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return; // %APPDATA% is already per-user; named pipes need no folder
  const facts = await lstat(dir);
  const uid = process.getuid?.();
  if (!facts.isDirectory() || (uid !== undefined && facts.uid !== uid)) {
    throw new FerryError(appError('forbidden', `${dir} is not a private folder of this user; Ferry will not put its socket there.`, { retryable: false }));
  }
  if ((facts.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}
