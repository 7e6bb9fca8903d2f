/**
 * The keys of the app's embedded local cloud, made once per install and kept in its data folder
 * (`keys.json`, mode 0600). Public constants would let any local program or web page that knows
 * Ferry's source call the cloud as the app; random ones are known only to this install. The
 * standalone `npm run localcloud` keeps its documented defaults and flags instead.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { randomId } from './storage.js';

/** The embedded cloud's per-install keys. */
export type InstallKeys = {
  /** Filestack apikey (22 characters, like a real one). */
  readonly apikey: string;
  readonly imagekitPrivateKey: string;
  readonly imagekitPublicKey: string;
};

const keysSchema = z.object({ apikey: z.string().min(16), imagekitPrivateKey: z.string().min(16), imagekitPublicKey: z.string().min(16) });
export const INSTALL_KEYS_FILE = 'keys.json';

function newKeys(): InstallKeys {
  return {
    apikey: randomId(22),
    imagekitPrivateKey: `private_${randomBytes(24).toString('base64url')}`,
    imagekitPublicKey: `public_${randomBytes(24).toString('base64url')}`,
  };
}

/** Reads `<dir>/keys.json`, or creates it (a missing or unreadable file gets new keys). */
export async function loadOrCreateInstallKeys(dir: string): Promise<InstallKeys> {
  const file = join(dir, INSTALL_KEYS_FILE);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text !== null) {
    let raw: unknown = null;
    try {
      raw = JSON.parse(text);
    } catch {
      // A torn or edited file: replaced with new keys below.
    }
    const parsed = keysSchema.safeParse(raw);
    if (parsed.success) {
      // Another tool may have widened it; the keys are for this user only.
      if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return parsed.data;
    }
  }
  await mkdir(dir, { recursive: true });
  const keys = newKeys();
  // Temp + rename: a crash never leaves half a file that would be read back as other keys.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(keys), { mode: 0o600 });
  await rename(tmp, file);
  return keys;
}
