import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_RESPONSE_HEADERS, APP_SCHEME, contentTypeFor, resolveAppAsset } from './security.js';

/**
 * The app:// protocol that serves the built renderer. Privileged as standard + secure so the
 * page gets a real origin (app://ferry), secure-context APIs and fetch, without file:// powers.
 */

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...APP_RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

/** Serves files under `rootDir` (dist/renderer) on app://ferry/, with the CSP on every reply. */
export function serveRenderer(rootDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const filePath = await resolveAppAsset(rootDir, request.url);
    if (filePath === null) return plain(404, 'Not found');
    const file = await net.fetch(pathToFileURL(filePath).toString());
    if (!file.ok) return plain(404, 'Not found');
    const headers = new Headers(APP_RESPONSE_HEADERS);
    headers.set('Content-Type', contentTypeFor(filePath));
    headers.set('Cache-Control', 'no-cache');
    return new Response(request.method === 'HEAD' ? null : file.body, { status: 200, headers });
  });
}
