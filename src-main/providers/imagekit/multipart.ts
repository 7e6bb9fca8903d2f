/**
 * Hand-built multipart/form-data (RFC 7578) whose file part is streamed from disk. The exact
 * byte length is known before sending, so the request carries Content-Length and upload progress
 * has a real total; the file is never held in memory (unless the caller already holds it: a
 * small file the engine read whole).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { StreamBody } from '../../net/http.js';

/** A text field (booleans already rendered as `true`/`false`). */
export type TextPart = { readonly kind: 'text'; readonly name: string; readonly value: string };
/** A file part read from `path` (or sent from `bytes`, already read); `size` is its byte count (stat it first). */
export type FilePart = {
  readonly kind: 'file';
  readonly name: string;
  readonly filename: string;
  readonly contentType: string;
  readonly path: string;
  readonly size: number;
  readonly bytes?: Buffer;
};
export type FormPart = TextPart | FilePart;

/** A ready-to-send form: its Content-Type header and the streamed body. */
export type MultipartBody = StreamBody & {
  readonly contentType: string;
  readonly boundary: string;
  /** Byte offset where the file content starts and its length (progress maps onto these). */
  readonly fileSpan: { readonly start: number; readonly size: number } | null;
};

/** Random boundary; 24 hex digits like the form-data package, with a prefix no value contains. */
export function newBoundary(): string {
  return `----FerryFormBoundary${randomBytes(12).toString('hex')}`;
}

/**
 * Escapes a name or filename for a quoted header parameter the way browsers do (WHATWG
 * multipart encoding): `"` → `%22`, CR → `%0D`, LF → `%0A`; everything else stays UTF-8.
 */
export function quoteParam(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function partHeader(boundary: string, part: FormPart): string {
  const disp = `Content-Disposition: form-data; name="${quoteParam(part.name)}"`;
  if (part.kind === 'text') return `--${boundary}\r\n${disp}\r\n\r\n`;
  return `--${boundary}\r\n${disp}; filename="${quoteParam(part.filename)}"\r\nContent-Type: ${part.contentType}\r\n\r\n`;
}

type Piece = { readonly kind: 'bytes'; readonly data: Buffer } | { readonly kind: 'file'; readonly path: string; readonly size: number };

/** Lays out the form as byte pieces; adjacent text is merged so the wire sees few writes. */
export function buildMultipart(parts: readonly FormPart[], boundary: string = newBoundary()): MultipartBody {
  const pieces: Piece[] = [];
  let pending = '';
  let length = 0;
  let fileSpan: MultipartBody['fileSpan'] = null;
  const flush = (): void => {
    if (pending === '') return;
    const data = Buffer.from(pending, 'utf8');
    pieces.push({ kind: 'bytes', data });
    length += data.length;
    pending = '';
  };
  for (const part of parts) {
    pending += partHeader(boundary, part);
    if (part.kind === 'text') {
      pending += `${part.value}\r\n`;
      continue;
    }
    flush();
    if (fileSpan === null) fileSpan = { start: length, size: part.size };
    pieces.push(part.bytes ? { kind: 'bytes', data: part.bytes } : { kind: 'file', path: part.path, size: part.size });
    length += part.size;
    pending += '\r\n';
  }
  pending += `--${boundary}--\r\n`;
  flush();
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    boundary,
    length,
    fileSpan,
    chunks: () => streamPieces(pieces),
  };
}

async function* streamPieces(pieces: readonly Piece[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) {
    if (p.kind === 'bytes') {
      yield p.data;
      continue;
    }
    // `end` bounds the read to the stat'ed size: a file that grew mid-upload is caught by the
    // length check in net/http (it would otherwise send more than Content-Length promised).
    if (p.size === 0) continue;
    const stream = createReadStream(p.path, { highWaterMark: 64 * 1024, start: 0, end: p.size });
    yield* stream as AsyncIterable<Buffer>;
  }
}
