import { shell, type Session, type WebContents } from 'electron';
import { isAllowedNavigation, isPermissionAllowed, shouldOpenExternal } from './security.js';

/**
 * Runtime guards applied to every webContents and session: no new windows, no navigation off
 * the app origin, no <webview>, no permissions but clipboard writes. The decisions themselves
 * are the pure functions of security.ts.
 */

const guarded = new WeakSet<WebContents>();
const hardened = new WeakSet<Session>();

/** Extra exact origins that may open in the OS browser (e.g. the local cloud), set by main. */
let externalOrigins: readonly string[] = [];

/** Lets main allow links to origins it owns at runtime (exact origin match). */
export function setExternalOrigins(origins: readonly string[]): void {
  externalOrigins = [...origins];
}

function openIfAllowed(url: string): void {
  if (!shouldOpenExternal(url, externalOrigins)) return;
  shell.openExternal(url).catch(() => {
    // No browser registered is not worth crashing or nagging over; the link stays copyable.
  });
}

/** Applies the navigation/window/webview guards once per webContents (idempotent). */
export function guardWebContents(contents: WebContents): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
}

/** Denies every permission request and check except clipboard-sanitized-write (idempotent). */
export function hardenSession(session: Session): void {
  if (hardened.has(session)) return;
  hardened.add(session);
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(isPermissionAllowed(permission));
  });
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
}
