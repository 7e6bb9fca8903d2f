import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreateSecretFile } from '../secret-file.js';

/** The file holding the built-in local cloud app's secret, inside the local cloud's data dir. */
export const APP_SECRET_FILE = 'app-secret';

/**
 * The built-in local cloud app's signing secret: made once per install (32 random bytes, hex)
 * and kept in `<dir>/app-secret` (mode 0600), so links signed in one session still verify in the
 * next. It never leaves the main process. A damaged file (too short) is replaced, which only
 * invalidates links signed with the old secret; a file others could read is only tightened,
 * because replacing it would break every link already handed out.
 */
export function loadOrCreateAppSecret(dir: string): Promise<string> {
  return loadOrCreateSecretFile(join(dir, APP_SECRET_FILE), {
    valid: /^[0-9a-f]{64}$/,
    make: () => randomBytes(32).toString('hex'),
    looseMode: 'tighten',
  });
}
