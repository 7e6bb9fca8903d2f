/**
 * Server-side authentication (spec §1.2): HTTP Basic with the private key as the username; the
 * password (`""` from v6/py4, `do_not_set` from v7) is ignored. A missing or malformed header is
 * 401, an unknown key 403 with the text every SDK fixture shows.
 */
import type { IncomingMessage } from 'node:http';
import type { ResolvedAccount } from './account.js';
import { IkError } from './http.js';

/** Exact fixture text for a key the server does not know. */
export const CANNOT_AUTHENTICATE = 'Your account cannot be authenticated.';

/** The Basic-auth username, or null when the header is absent. Malformed → 401. */
export function basicUsername(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === '') return null;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  if (user === '') throw new IkError(401, 'Your request contains an invalid Authorization header. Use Basic auth with your private API key as the username.');
  return user;
}

/** The account whose private key is the Basic username; 401 without credentials, 403 for an unknown key. */
export function authenticate(req: IncomingMessage, accounts: readonly ResolvedAccount[]): ResolvedAccount {
  const user = basicUsername(req);
  if (user === null) throw new IkError(401, 'Your request does not contain a private API key. Send it as the Basic auth username.');
  const account = accounts.find((a) => a.privateKey === user);
  if (!account) throw new IkError(403, CANNOT_AUTHENTICATE);
  return account;
}
