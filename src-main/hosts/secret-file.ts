import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type SecretFileOptions = {
  /** A value read back must match this, else a damaged file is replaced with a fresh value. */
  readonly valid: RegExp;
  /** Makes a fresh value (random bytes, encoded). */
  readonly make: () => string;
  /**
   * What to do when the file is readable by group or others (POSIX): `tighten` only fixes the
   * mode; `replace` also makes a new value, because the old one may have been read by another
   * user (right for access tokens, wrong for secrets that signed links the user handed out).
   */
  readonly looseMode: 'tighten' | 'replace';
};

/**
 * A per-install secret kept in one file with mode 0600, made once and read back on every launch.
 * Written to a temp file and renamed, so a crash never leaves half a secret behind.
 */
export async function loadOrCreateSecretFile(file: string, opts: SecretFileOptions): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (opts.valid.test(existing)) {
    const shared = process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0;
    if (!shared) return existing;
    await chmod(file, 0o600);
    if (opts.looseMode === 'tighten') return existing;
  }
  await mkdir(dirname(file), { recursive: true });
  const value = opts.make();
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, value, { mode: 0o600 });
  await rename(tmp, file);
  return value;
}
