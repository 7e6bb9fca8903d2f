import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../engine/retry.js';
import type { UploadContext, UploadSource } from '../../engine/ports.js';
import { jsonRequest } from '../../net/http.js';
import type { WireStore } from '../../protocol/filestack/store-params.js';
import type { FileGuard } from './file-guard.js';
import { openSource } from './file-reader.js';
import { apiHeaders, protocolError, timeout, type ApiConfig } from './multipart-api.js';
import type { FilestackProviderOptions } from './provider.js';
import { withRetry, type RetryPacer } from './retry-loop.js';
import { fileApiRoot } from './verify.js';

/**
 * Small files in one request: `POST /api/store/<LOCATION>` with the bytes (spec §5.1) instead of
 * start + upload + PUT + complete. The answer names the handle; the local cloud's also carries
 * the stored MD5, so the file is verified without another call (else the File API is asked, as
 * for a multipart upload). Only store options the endpoint takes can go this way (no region,
 * workflows or upload tags). A lost answer makes the retry store a second copy; that costs a few
 * small orphaned bytes on the server, never a wrong or missing file.
 */

/** True when `source` may go up as one store request under these options. */
export function fitsOneRequest(opts: FilestackProviderOptions, source: UploadSource, partSize: number, wire: { store: WireStore; uploadTags?: unknown }): boolean {
  const max = Math.min(opts.singleRequestMax ?? 0, partSize);
  if (opts.intelligent || source.size > max) return false;
  return wire.uploadTags === undefined && wire.store.region === undefined && (wire.store.workflows ?? []).length === 0;
}

const storeAnswerSchema = z.object({
  url: z.string().min(1),
  size: z.number().int().nonnegative(),
  type: z.string().optional(),
  filename: z.string().optional(),
  key: z.string().optional(),
  md5: z.string().optional(),
});

/** What the store call stored, as the provider verifies it. */
export type SmallStored = { handle: string; size: number; md5?: string; mimetype?: string; filename?: string; sourceMd5: string };

/** `POST <api root>/store/<LOCATION>`; Filestack documents the location in upper case for S3. */
function storeUrl(opts: FilestackProviderOptions, cfg: ApiConfig, source: UploadSource, store: WireStore): string {
  const q = new URLSearchParams({ key: opts.apikey, filename: source.name, mimetype: source.mimetype });
  if (store.path !== undefined) q.set('path', store.path);
  if (store.container !== undefined) q.set('container', store.container);
  if (store.access !== undefined) q.set('access', store.access);
  if (cfg.security) {
    q.set('policy', cfg.security.policy);
    q.set('signature', cfg.security.signature);
  }
  const root = fileApiRoot(opts.fileApiBase).replace(/\/file$/, '/store');
  return `${root}/${store.location === 's3' ? 'S3' : store.location}?${q.toString()}`;
}

async function readSource(source: UploadSource): Promise<Buffer> {
  const file = await openSource(source.path);
  try {
    return await file.read(0, Buffer.allocUnsafe(source.size));
  } finally {
    await file.close();
  }
}

/**
 * Reads the file once (unless the engine did: `source.bytes`; then no guard is needed), sends it
 * in one request (retried like any call) and returns what the server stored.
 */
export async function storeInOneRequest(
  opts: FilestackProviderOptions,
  source: UploadSource,
  cfg: ApiConfig,
  ctx: UploadContext,
  signal: AbortSignal,
  attempt: { guard: FileGuard | null; pacer: RetryPacer },
): Promise<SmallStored> {
  const bytes = source.bytes ?? (await readSource(source));
  const digest = createHash('md5').update(bytes).digest();
  const md5 = digest.toString('base64');
  attempt.guard?.checkPartHash(1, md5);
  await attempt.guard?.check('after reading');
  if (ctx.contentKey && ctx.contentKey.blockSize >= source.size) ctx.contentKey.add(0, md5);
  const url = storeUrl(opts, cfg, source, cfg.store ?? { location: 's3' });
  const res = await withRetry(
    () =>
      jsonRequest({
        method: 'POST',
        url,
        headers: { ...apiHeaders(), 'Content-Type': source.mimetype, 'Content-MD5': md5 },
        body: bytes,
        signal,
        ...timeout(cfg),
      }),
    { policy: opts.retry ?? DEFAULT_RETRY_POLICY, signal, pacer: attempt.pacer, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) },
  );
  // Counted once the server has it all: bytes handed to a socket that never connected are not
  // "sent", and a small file goes up in a blink anyway.
  ctx.onProgress(source.size);
  const parsed = storeAnswerSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/api/store', parsed.error);
  const handle = new URL(parsed.data.url).pathname.split('/').filter(Boolean).pop() ?? '';
  if (!/^[\w-]{20}$/.test(handle)) throw new FerryError(appError('protocol', `/api/store answered a URL without a file handle (${parsed.data.url}).`));
  const a = parsed.data;
  return {
    handle,
    size: a.size,
    sourceMd5: digest.toString('hex'),
    ...(a.md5 !== undefined ? { md5: a.md5 } : {}),
    ...(a.type !== undefined ? { mimetype: a.type } : {}),
    ...(a.filename !== undefined ? { filename: a.filename } : {}),
  };
}
