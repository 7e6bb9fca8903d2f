/**
 * The renderer's Content-Security-Policy, shared by the web host (HTTP header) and the Electron
 * host (session header). Scripts and styles only from the app itself; images and media may also
 * come from the local cloud on 127.0.0.1 (previews); the socket only to this host's own port.
 */
export function buildCsp(opts: { port?: number } = {}): string {
  const ws = opts.port !== undefined ? ` ws://127.0.0.1:${opts.port}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: http://127.0.0.1:*",
    "media-src 'self' blob: http://127.0.0.1:*",
    `connect-src 'self'${ws} http://127.0.0.1:*`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Security headers sent with every web-host response besides the CSP. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
