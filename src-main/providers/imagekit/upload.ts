/**
 * ImageKit upload (spec §2): one multipart POST to `<uploadBase>/api/v1/files/upload`. The file is
 * sent as a streamed binary part (from a path), a base64 text field, or a URL the server fetches.
 * There is no chunked/resumable upload in ImageKit's API: a failed request starts over.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { AuthenticationParameters } from '../../protocol/imagekit/auth-params.js';
import { buildMultipart, type FormPart } from './multipart.js';
import { uploadResponseSchema, type UploadResponse } from './schemas.js';
import { apiCall, badRequest, expectShape, type CallOptions, type ResolvedConfig } from './transport.js';
import { optionFields, validateUploadOptions, type UploadOptions } from './upload-options.js';

export const UPLOAD_PATH = '/api/v1/files/upload';

/** What to upload: a local file (streamed), base64 data (plain or data URI), or an http(s) URL. */
export type UploadFile =
  /** `bytes`: the file's content already in memory (sent as is; `path` then only names it). */
  | { readonly path: string; readonly contentType?: string; readonly bytes?: Buffer }
  | { readonly base64: string }
  | { readonly url: string };

/** Client-side upload auth (§3): sent instead of the Basic header. */
export type ClientSideAuth = AuthenticationParameters & { readonly publicKey: string };

/** {@link upload} input: the file, every §2.1 option, and transfer controls. */
export type UploadRequest = UploadOptions &
  CallOptions & {
    readonly file: UploadFile;
    /**
     * Bytes of the file part sent so far (0..size), for `path` uploads; text-only forms report
     * their whole body. Counts bytes handed to the socket, so it restarts from 0 when a caller
     * retries.
     */
    readonly onProgress?: (sentBytes: number, totalBytes: number) => void;
    /** Authenticate as a browser would (publicKey + token/expire/signature), without the private key. */
    readonly clientSideAuth?: ClientSideAuth;
  };

/** Size of a local file; errno errors stay raw so the engine classifies ENOENT/EACCES itself. */
async function fileSize(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isFile()) throw new FerryError(appError('not_a_file', `${path} is not a regular file.`, { retryable: false }));
  return s.size;
}

/** Builds the `file` part (first after the options, like v6/js5, so the server sees options early). */
async function filePart(file: UploadFile, fileName: string): Promise<FormPart> {
  if ('path' in file && typeof file.path === 'string') {
    return {
      kind: 'file',
      name: 'file',
      filename: fileName || basename(file.path),
      contentType: file.contentType ?? 'application/octet-stream',
      path: file.path,
      ...('bytes' in file && file.bytes ? { bytes: file.bytes, size: file.bytes.length } : { size: await fileSize(file.path) }),
    };
  }
  if ('base64' in file && typeof file.base64 === 'string' && file.base64 !== '') return { kind: 'text', name: 'file', value: file.base64 };
  if ('url' in file && typeof file.url === 'string' && /^https?:\/\//i.test(file.url)) return { kind: 'text', name: 'file', value: file.url };
  throw badRequest('Missing file parameter for upload');
}

/** Uploads one file and returns the parsed §2.3 answer. Validation failures never reach the wire. */
export async function upload(cfg: ResolvedConfig, req: UploadRequest): Promise<UploadResponse> {
  if (typeof req !== 'object' || req === null) throw badRequest('Missing data for upload');
  if (req.file === undefined || req.file === null) throw badRequest('Missing file parameter for upload');
  validateUploadOptions(req);
  const parts: FormPart[] = [...optionFields(req)];
  const fp = await filePart(req.file, req.fileName);
  // Options first, then the file: a server can reject bad options before reading a large body.
  parts.push(fp);
  if (req.clientSideAuth) {
    const a = req.clientSideAuth;
    parts.push(
      { kind: 'text', name: 'publicKey', value: a.publicKey },
      { kind: 'text', name: 'signature', value: a.signature },
      { kind: 'text', name: 'expire', value: String(a.expire) },
      { kind: 'text', name: 'token', value: a.token },
    );
  }
  const body = buildMultipart(parts);
  const span = body.fileSpan;
  const report = req.onProgress;
  const onUploadProgress =
    report === undefined
      ? undefined
      : span === null
        ? (sent: number) => report(sent, body.length)
        : (sent: number) => report(Math.min(span.size, Math.max(0, sent - span.start)), span.size);
  const res = await apiCall(cfg, {
    method: 'POST',
    base: 'upload',
    path: UPLOAD_PATH,
    headers: { 'Content-Type': body.contentType },
    stream: body,
    noAuth: req.clientSideAuth !== undefined,
    ...(req.signal !== undefined ? { signal: req.signal } : {}),
    ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
    ...(onUploadProgress !== undefined ? { onUploadProgress } : {}),
  });
  return expectShape('upload', uploadResponseSchema, res.data);
}
