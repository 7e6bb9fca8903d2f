import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { WebPreferences } from 'electron';
import { buildCsp } from '../csp.js';

/**
 * Pure security decisions of the Electron shell. Nothing here touches the Electron runtime (only
 * its types), so every rule is table-tested under plain Node; the shell files just wire them in.
 */

/** The custom scheme the renderer is served from (never file://, see Electron security §18). */
export const APP_SCHEME = 'app';
/** The host part of the app origin; the renderer lives at app://ferry/. */
export const APP_HOST = 'ferry';
/** The one origin trusted to call the contract and to be navigated to. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The entry page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's Content-Security-Policy: the same policy the web host sends (one definition in
 * hosts/csp.ts), without a WebSocket source because Electron carries the contract over IPC.
 * 127.0.0.1 stays allowed for images, media and fetches: the embedded local cloud serves
 * previews there on a per-launch port.
 */
export const APP_CSP = buildCsp();

/** Headers added to every response of the app:// protocol. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The hardened webPreferences of every Ferry window. `devTools: false` in packaged builds: an
 * installed Ferry has no DevTools at all, not just no menu item for them.
 */
export function secureWebPreferences(preloadPath: string, opts: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    devTools: opts.devTools ?? true,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
    // A file dropped outside the drop zone must not navigate the window to file://.
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length > 8192) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is on the app origin exactly: app://ferry, no credentials, no port. */
function isAppOrigin(u: URL): boolean {
  // `app:` is not a WHATWG special scheme under Node, so compare the host case-insensitively
  // (Chromium lowercases it because we register the scheme as standard).
  return (
    u.protocol === `${APP_SCHEME}:` &&
    u.hostname.toLowerCase() === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === '' &&
    // Node leaves the path of a non-special `app://ferry` empty; Chromium makes it '/'.
    (u.pathname === '' || u.pathname.startsWith('/'))
  );
}

/** May a frame at this URL call the IPC contract? Only pages served from app://ferry/. */
export function isTrustedSenderUrl(url: unknown): boolean {
  const u = parse(url);
  return u !== null && isAppOrigin(u);
}

/** May the window navigate to this URL? Only within the app origin; everything else is denied. */
export function isAllowedNavigation(url: unknown): boolean {
  const u = parse(url);
  return u !== null && isAppOrigin(u);
}

/** Hosts Ferry builds user-facing links for (CDN and API of the two providers). */
export const EXTERNAL_LINK_DOMAINS: readonly string[] = ['filestackcontent.com', 'filestackapi.com', 'imagekit.io'];

/**
 * May this URL be handed to the OS browser (shell.openExternal)? Only https links on the
 * providers' domains, so a compromised renderer cannot launch arbitrary protocol handlers
 * (file:, smb:, custom app schemes). `extraOrigins` lets the shell add exact origins it owns at
 * runtime, e.g. the embedded local cloud `http://127.0.0.1:<port>`.
 */
export function shouldOpenExternal(url: unknown, extraOrigins: readonly string[] = []): boolean {
  const u = parse(url);
  if (u === null || u.username !== '' || u.password !== '') return false;
  if (extraOrigins.includes(u.origin)) return true;
  if (u.protocol !== 'https:' || u.port !== '') return false;
  const host = u.hostname;
  return EXTERNAL_LINK_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/** Only this permission is granted (the "copy link" button writes sanitized clipboard text). */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a renderer asset; module scripts need an exact JavaScript type. */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Maps an app:// request URL to a regular file inside `rootDir`, or null. Refuses other origins,
 * `..` segments (plain or percent-encoded, including encoded slashes), absolute and drive paths,
 * backslashes, NUL bytes, directories, missing files, and symlinks whose target leaves the root
 * (checked on the real paths, so a link planted in the build output cannot expose the disk).
 */
export async function resolveAppAsset(rootDir: string, requestUrl: string): Promise<string | null> {
  const u = parse(requestUrl);
  if (u === null || !isAppOrigin(u)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (rel.includes('\0') || rel.includes('\\') || rel.includes(':')) return null;
  rel = rel.replace(/^\//, '');
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  if (path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) return null;
  if (rel.split('/').some((segment) => segment === '..' || segment === '.')) return null;

  const root = path.resolve(rootDir);
  const candidate = path.resolve(root, ...rel.split('/'));
  if (!isInside(root, candidate)) return null;
  try {
    const [realRoot, realCandidate] = await Promise.all([realpath(root), realpath(candidate)]);
    if (!isInside(realRoot, realCandidate)) return null;
    const info = await stat(realCandidate);
    return info.isFile() ? realCandidate : null;
  } catch {
    return null; // missing file or unreadable root
  }
}
