/**
 * The ImageKit engine Provider (destination `imagekit`). ImageKit has no chunked or resumable
 * upload, so each attempt is one streamed multipart POST:
 * - progress is honest: bytes of the file handed to the socket; every attempt starts again at 0
 *   (the engine retries a failed attempt from scratch, there is nothing to resume);
 * - no internal retry: a retryable failure (5xx, network, 429) goes back to the engine, which
 *   owns the backoff; 401/403 come back as unauthorized/forbidden so the engine pauses on auth;
 * - it resolves only after verification: the answer's `size` must equal the source size, and the
 *   stored original (fetched from its delivery URL with `tr=orig-true`, streamed through MD5)
 *   must hash like the source. The file's metadata API has no checksum, hence the download.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { UploadResult } from '../../../src-shared/model/job.js';
import type { Provider, UploadContext, UploadSource } from '../../engine/ports.js';
import { createImageKitClient, type ImageKitClient, type ImageKitConfig } from './client.js';
import { integrityError, md5OfFile, md5OfUrl, originalUrl } from './verify.js';

/** Provider options: the account plus where and how files land. */
export type ImageKitProviderOptions = ImageKitConfig & {
  /** Base folder for every upload (default `/`); a dropped folder's structure goes below it. */
  readonly folder?: string;
  /** Default true (the server appends a random suffix when a name is taken). */
  readonly useUniqueFileName?: boolean;
  readonly tags?: readonly string[];
  /** `content` (default): download and MD5-compare; `size`: trust the answer's size only. */
  readonly verify?: 'content' | 'size';
};

/**
 * ImageKit folder names allow `a-z A-Z 0-9 / _ -` (§2.1); anything else becomes `_` so a dropped
 * folder called "Holiday 2024" lands in `Holiday_2024` instead of being refused.
 */
export function folderFor(base: string | undefined, relativePath: string | null): string {
  const rel = relativePath === null ? '' : posix.dirname(relativePath.replace(/\\/g, '/'));
  const joined = posix.join('/', base ?? '/', rel === '.' ? '' : rel);
  const clean = joined
    .split('/')
    .map((s) => s.replace(/[^A-Za-z0-9_-]/g, '_'))
    .join('/');
  return clean.endsWith('/') ? clean : `${clean}/`;
}

/** Creates the provider; a bad configuration (no key, no endpoint) throws bad_request now. */
export function createImageKitProvider(opts: ImageKitProviderOptions): Provider {
  const client = createImageKitClient(opts);
  return { kind: 'imagekit', upload: (source, ctx) => uploadOne(client, opts, source, ctx) };
}

async function statSource(path: string): Promise<{ size: number; mtimeMs: number }> {
  const s = await stat(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
}

const changed = (name: string, when: string): FerryError =>
  new FerryError(appError('file_changed', `${name} changed ${when}.`, { retryable: false }));

async function uploadOne(client: ImageKitClient, opts: ImageKitProviderOptions, source: UploadSource, ctx: UploadContext): Promise<UploadResult> {
  if (source.size === 0) throw new FerryError(appError('empty_file', `${source.name} is empty; nothing to upload.`, { retryable: false }));
  if (ctx.signal.aborted) throw new FerryError(appError('aborted', 'The upload was canceled.'));
  // Bytes the engine already read whole are one version: nothing on disk to check or hash again.
  const held = source.bytes;
  const before = held ? null : await statSource(source.path);
  if (before && before.size !== source.size) throw changed(source.name, 'size since it was queued');
  ctx.onProgress(0);

  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const hashing = held ? Promise.resolve({ md5: createHash('md5').update(held).digest('hex'), size: held.length }) : md5OfFile(source.path, ac.signal);
  hashing.catch(() => undefined);
  try {
    const res = await client.upload({
      file: { path: source.path, contentType: source.mimetype, ...(held ? { bytes: held } : {}) },
      fileName: source.name,
      folder: folderFor(opts.folder, source.relativePath),
      useUniqueFileName: opts.useUniqueFileName ?? true,
      ...(opts.tags !== undefined && opts.tags.length > 0 ? { tags: opts.tags } : {}),
      responseFields: ['isPrivateFile'],
      signal: ac.signal,
      onProgress: (sent) => ctx.onProgress(sent),
    });
    const local = await hashing;
    if (before) {
      const after = await statSource(source.path);
      if (local.size !== source.size || after.size !== source.size || after.mtimeMs !== before.mtimeMs) throw changed(source.name, 'while it was uploading');
    }
    if (res.size !== source.size) throw integrityError(`size ${res.size} vs ${source.size}`, { storedSize: res.size, sourceSize: source.size, fileId: res.fileId });
    if ((opts.verify ?? 'content') === 'content') {
      const url = originalUrl(res.url, { urlEndpoint: client.config.urlEndpoint, privateKey: opts.privateKey, isPrivate: res.isPrivateFile === true, now: Date.now() / 1000 });
      const stored = await md5OfUrl(url, ac.signal, opts.timeoutMs);
      if (stored.size !== source.size || stored.md5 !== local.md5) {
        throw integrityError(`downloaded ${stored.size} bytes, md5 ${stored.md5} vs ${local.md5}`, { storedSize: stored.size, sourceSize: source.size, fileId: res.fileId });
      }
    }
    return { url: res.url, remoteId: res.fileId, size: res.size, mimetype: source.mimetype, filename: res.name, md5: local.md5 };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}
