import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file holding the built-in local cloud app's secret, inside the local cloud's data dir. */
export const APP_SECRET_FILE = 'app-secret';

/**
 * The built-in local cloud app's signing secret: made once per install (32 random bytes, hex)
 * and kept in `<dir>/app-secret` (mode 0600), so links signed in one session still verify in the
 * next. It never leaves the main process. A damaged file (too short) is replaced, which only
 * invalidates links signed with the old secret.
 */
export async function loadOrCreateAppSecret(dir: string): Promise<string> {
  const file = join(dir, APP_SECRET_FILE);
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{64}$/.test(existing)) return existing;
  await mkdir(dir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  // Temp + rename: a crash never leaves a half-written secret that would be read back next time.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, secret, { mode: 0o600 });
  await rename(tmp, file);
  return secret;
}
