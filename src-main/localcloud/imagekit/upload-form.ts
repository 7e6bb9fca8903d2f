/**
 * Reads the upload's multipart form (spec §2.1): text fields, and the `file` part streamed
 * straight into a storage temp file (hashed). `file` may be a binary part, or a text part holding
 * base64 (plain or data URI, decoded as it streams: never held whole as text) or an http(s) URL
 * (short; returned in `fields.file` for the caller to fetch). Every part is capped.
 */
import type { IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import { Busboy, type BusboyConfig, type BusboyFileStream, type BusboyInstance } from '@fastify/busboy';
import type { FinishedTemp, Storage } from '../storage.js';
import { Base64Decoder, InvalidBase64Error } from './base64-stream.js';
import { IkError } from './http.js';

/** The parsed form. `binary` is set when `file` was a binary part or base64 text. */
export type UploadForm = { readonly fields: Readonly<Record<string, string>>; readonly binary: FinishedTemp | null };

/** Largest ordinary text field (tags, customMetadata JSON, transformations...). */
const MAX_FIELD_BYTES = 1024 * 1024;
/** Longest URL accepted in the `file` field. */
const MAX_URL_BYTES = 8 * 1024;

const tooLarge = (max: number): IkError => new IkError(413, `The file is larger than the ${max} bytes this server accepts.`);
const invalidFile = (): IkError => new IkError(400, 'Your request contains invalid file parameter. It should be a binary file, a base64 string or an http(s) URL.');

type Mode = 'binary' | 'sniff' | 'url' | 'base64';

/** How the `file` part turned out: bytes in a temp file, or the text of a URL. */
type FilePart = { readonly temp: FinishedTemp } | { readonly url: string };

/**
 * Streams the `file` part: binary bytes as they are; text is a URL (kept as text) or base64
 * (decoded on the fly). `maxBytes` caps the stored bytes.
 */
async function receiveFile(stream: BusboyFileStream, isText: boolean, storage: Storage, maxBytes: number): Promise<FilePart> {
  const w = await storage.createTempWriter();
  const decoder = new Base64Decoder();
  // Text is sniffed until it is clearly a URL or clearly not (then base64).
  let mode: Mode = isText ? 'sniff' : 'binary';
  let text = '';
  let written = 0;
  const write = async (bytes: Buffer): Promise<void> => {
    written += bytes.length;
    if (written > maxBytes) throw tooLarge(maxBytes);
    if (bytes.length > 0) await w.write(bytes);
  };
  const decide = async (final: boolean): Promise<Mode> => {
    const lead = text.trimStart().toLowerCase();
    if (!final && lead.length < 8 && ('https://'.startsWith(lead) || 'http://'.startsWith(lead))) return 'sniff';
    if (/^https?:\/\//.test(lead)) return 'url';
    await write(decoder.push(text));
    text = '';
    return 'base64';
  };
  // After a failure the part is still read to its end (skipping the rest), or the form would stall.
  let failed: unknown = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (failed !== null) continue;
      try {
        if (mode === 'binary') await write(chunk);
        else if (mode === 'base64') await write(decoder.push(chunk.toString('latin1')));
        else {
          text += chunk.toString('latin1');
          if (mode === 'sniff') mode = await decide(false);
          if (mode === 'url' && text.length > MAX_URL_BYTES) throw invalidFile();
        }
      } catch (err) {
        failed = err;
      }
    }
    if (failed !== null) throw failed;
    if (stream.truncated) throw tooLarge(maxBytes);
    if (mode === 'sniff') mode = await decide(true);
    if (mode === 'url') {
      await w.discard();
      return { url: text.trim() };
    }
    if (mode === 'base64') {
      await write(decoder.end());
      if (written === 0) throw invalidFile();
    }
    return { temp: await w.finish() };
  } catch (err) {
    await w.discard();
    stream.resume();
    throw err instanceof InvalidBase64Error ? invalidFile() : err;
  }
}

/** Parses the form; any failure removes the temp file. */
export function readUploadForm(req: IncomingMessage, storage: Storage, maxBytes: number): Promise<UploadForm> {
  return new Promise((resolve, reject) => {
    let bb: BusboyInstance;
    try {
      bb = new Busboy({
        headers: req.headers as BusboyConfig['headers'],
        // The `file` field is streamed whatever its form: a binary part or base64/URL text.
        isPartAFile: (name, type, filename) => name === 'file' || filename !== undefined || type === 'application/octet-stream',
        // Raw parts may be base64 (4/3 of the bytes, plus a data-URI prefix); bytes are capped after decoding.
        limits: { fileSize: Math.ceil(maxBytes * 1.4) + 1024, fieldSize: MAX_FIELD_BYTES, fields: 200, files: 5 },
      });
    } catch {
      reject(new IkError(400, 'Your request must be multipart/form-data with a file and a fileName.'));
      return;
    }
    const fields: Record<string, string> = {};
    let receiving: Promise<FilePart | null> = Promise.resolve(null);
    let failure: IkError | null = null;
    bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) failure ??= new IkError(400, `The ${name} field is larger than ${MAX_FIELD_BYTES} bytes.`);
      fields[name] = value;
    });
    bb.on('file', (name, stream, filename) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      receiving = receiveFile(stream, filename === undefined, storage, maxBytes);
      // Errors surface when awaited at 'finish'; avoid an unhandled rejection in between.
      receiving.catch(() => undefined);
    });
    bb.on('error', () => {
      failure ??= new IkError(400, 'Malformed multipart/form-data request.');
      req.unpipe(bb);
      req.resume();
      finish();
    });
    bb.on('finish', finish);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      receiving.then(
        async (part) => {
          const binary = part && 'temp' in part ? part.temp : null;
          if (failure) {
            if (binary) await rm(binary.path, { force: true });
            reject(failure);
            return;
          }
          resolve({ fields: part && 'url' in part ? { ...fields, file: part.url } : fields, binary });
        },
        (err: unknown) => reject(err instanceof IkError ? err : (failure ?? err)),
      );
    }
    req.pipe(bb);
  });
}
