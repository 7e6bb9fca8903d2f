/**
 * Single-range file answers for both front ends' deliveries (RFC 9110 §14): video players and
 * browsers seek with `Range: bytes=a-b`. Multi-range requests get the whole file, which the RFC
 * allows.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** One `bytes=` range of a `size`-byte file; null = answer the whole file. */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Math.min(Number(b), size);
    return n === 0 ? 'unsatisfiable' : [size - n, size - 1];
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

/** Types a browser would run as a document of the cloud's own origin (script in HTML, SVG, XML). */
const ACTIVE_TYPES = /^(?:text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|[a-z]+\/[a-z0-9.+-]*\+xml)\b/i;

/**
 * Headers every delivered user file carries: browsers must not sniff another type, and a stored
 * HTML or SVG file opened from a link runs sandboxed (no script, an opaque origin), so an
 * uploaded page can never act as the local cloud's own origin. Embedding as <img> is unaffected.
 */
export function storedContentHeaders(contentType: string): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    ...(ACTIVE_TYPES.test(contentType) ? { 'Content-Security-Policy': 'sandbox' } : {}),
  };
}

/**
 * Streams `file` (`size` bytes) with `headers`, honouring one `Range`: 206 with Content-Range,
 * 416 when it cannot be met, 200 otherwise. HEAD gets the headers only.
 */
export async function sendFileRange(req: IncomingMessage, res: ServerResponse, file: string, size: number, headers: Record<string, string | number>): Promise<void> {
  const out: Record<string, string | number> = { ...headers, ...storedContentHeaders(String(headers['Content-Type'] ?? '')), 'Accept-Ranges': 'bytes' };
  let start = 0;
  let end = size - 1;
  let status = 200;
  const range = req.headers.range;
  if (typeof range === 'string' && size > 0) {
    const parsed = parseRange(range, size);
    if (parsed === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    if (parsed) {
      [start, end] = parsed;
      status = 206;
      out['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
  }
  out['Content-Length'] = size === 0 ? 0 : end - start + 1;
  res.writeHead(status, out);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end }), res);
}
