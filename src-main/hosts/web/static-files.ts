import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { contentType } from 'mime-types';
import { FALLBACK_PAGE } from './fallback-page.js';

/**
 * Serves the built renderer from `root`. Containment is checked twice: on the resolved path
 * (so `..`, `%2e%2e` and `..%2f` cannot climb out) and on the real path (so a symlink inside the
 * folder cannot point outside it). Anything outside, missing or odd is a plain 404.
 */
export function createStaticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = resolve(root);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return send(res, 400, 'Bad request');
    }
    if (path.includes('\0')) return send(res, 400, 'Bad request');
    const isRoot = path === '/' || path === '/index.html';
    const file = await locate(base, isRoot ? 'index.html' : path);
    if (!file) {
      if (isRoot) return send(res, 200, FALLBACK_PAGE, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return send(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'Content-Type': contentType(extname(file.path)) || 'application/octet-stream',
      'Content-Length': String(file.size),
      // The HTML names hashed assets; it must never be served stale.
      'Cache-Control': file.path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

async function locate(base: string, urlPath: string): Promise<{ path: string; size: number } | null> {
  const candidate = resolve(base, `.${urlPath.startsWith('/') ? '' : '/'}${urlPath}`);
  if (!inside(base, candidate)) return null;
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!inside(realBase, realFile)) return null;
    const facts = await stat(realFile);
    return facts.isFile() ? { path: realFile, size: facts.size } : null;
  } catch {
    return null;
  }
}

function inside(base: string, path: string): boolean {
  return path.startsWith(base.endsWith(sep) ? base : base + sep);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
