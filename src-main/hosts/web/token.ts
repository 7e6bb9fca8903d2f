import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { loadOrCreateSecretFile } from '../secret-file.js';

/** Where browser mode keeps its state inside the data folder (token and port files). */
export const WEB_STATE_DIR = 'web';

/** A fresh secret: 24 random bytes, base64url (32 characters). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The web host's token for this profile, kept in `<dataDir>/web/token` (mode 0600): a restarted
 * Ferry accepts the token of a page that is still open. A file other users could read gets a new
 * token (the old one may be known to them); the open page then says how to get the new link.
 */
export function loadOrCreateToken(dataDir: string): Promise<string> {
  return loadOrCreateSecretFile(join(dataDir, WEB_STATE_DIR, 'token'), { valid: /^[A-Za-z0-9_-]{32,128}$/, make: newToken, looseMode: 'replace' });
}

/** Constant-time token comparison; any non-string or length mismatch is simply false. */
export function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
