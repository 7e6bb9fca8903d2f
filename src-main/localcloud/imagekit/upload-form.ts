/**
 * Reads the upload's multipart form (spec §2.1): text fields, and a binary `file` part streamed
 * straight into a storage temp file (hashed, fsynced). `file` may instead be a text field holding
 * base64 (plain or data URI) or an http(s) URL; {@link resolveFileSource} turns those into bytes.
 */
import type { IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import busboy from 'busboy';
import type { FinishedTemp, Storage } from '../storage.js';
import { IkError } from './http.js';

/** The parsed form. `binary` is set when `file` was a binary part. */
export type UploadForm = { readonly fields: Readonly<Record<string, string>>; readonly binary: FinishedTemp | null };

const tooLarge = (max: number): IkError => new IkError(413, `The file is larger than the ${max} bytes this server accepts.`);

/** Parses the form; any failure removes the temp file. */
export function readUploadForm(req: IncomingMessage, storage: Storage, maxBytes: number): Promise<UploadForm> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // A base64 text field is ~4/3 of the bytes; leave room for a data-URI prefix.
      bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes, fieldSize: Math.ceil(maxBytes * 1.4) + 1024, fields: 200, files: 5 } });
    } catch {
      reject(new IkError(400, 'Your request must be multipart/form-data with a file and a fileName.'));
      return;
    }
    const fields: Record<string, string> = {};
    let writing: Promise<FinishedTemp | null> = Promise.resolve(null);
    let failure: IkError | null = null;
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) failure ??= tooLarge(maxBytes);
      fields[name] = value;
    });
    bb.on('file', (name, stream) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      writing = (async () => {
        const w = await storage.createTempWriter();
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) await w.write(chunk);
          if ((stream as { truncated?: boolean }).truncated) throw tooLarge(maxBytes);
          return await w.finish();
        } catch (err) {
          await w.discard();
          stream.resume();
          throw err;
        }
      })();
      // Errors surface when awaited at 'close'; avoid an unhandled rejection in between.
      writing.catch(() => undefined);
    });
    bb.on('error', () => {
      failure ??= new IkError(400, 'Malformed multipart/form-data request.');
      req.unpipe(bb);
      req.resume();
      finish();
    });
    bb.on('close', finish);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      writing.then(
        async (binary) => {
          if (failure) {
            if (binary) await rm(binary.path, { force: true });
            reject(failure);
          } else resolve({ fields, binary });
        },
        (err: unknown) => reject(err instanceof IkError ? err : (failure ?? err)),
      );
    }
    req.pipe(bb);
  });
}
