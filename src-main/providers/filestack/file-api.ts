/**
 * Filestack File API client (spec §6): download to a file, content as a Buffer, metadata,
 * overwrite (from a local file or a URL), remove and signed CDN URLs. Reads, metadata and
 * overwrites are retried on transient failures (5xx, 429, network) through the provider's retry
 * loop; 4xx answers are final (spec §10).
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { appError, FerryError, toAppError } from '../../../src-shared/errors.js';
import type { CallName } from '../../../src-shared/filestack/policy.js';
import type { RetryPolicy } from '../../engine/retry.js';
import { errorFromResponse, httpRequest, jsonRequest } from '../../net/http.js';
import { withRetry } from './retry-loop.js';
import { createSecurity, type Security } from '../../protocol/filestack/signing.js';

/** Where the File API lives and how calls are authorised. */
export type FileApiConfig = {
  readonly apikey: string;
  /** CDN origin, e.g. https://cdn.filestackcontent.com or the local cloud's baseUrl. */
  readonly cdnBase: string;
  /** File API root, e.g. https://www.filestackapi.com/api/file (a bare origin gets /api/file). */
  readonly fileApiBase: string;
  /** App secret: each call then gets its own short policy for exactly that call and handle. */
  readonly secret?: string;
  /** A ready-made policy used when no secret is configured. */
  readonly security?: Security;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
};

export type CallOptions = { readonly signal?: AbortSignal };

const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8000, jitter: 0.5 };
/** Lifetime of the per-call policies made from the secret. */
const CALL_POLICY_SECONDS = 3600;

/** `https://host` → `https://host/api/file`; a full root is kept. */
export function fileApiRoot(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/api\/file$/.test(trimmed) ? trimmed : `${trimmed}/api/file`;
}

/** Policy for one call on one handle (from the secret), else the configured one, else none. */
export function securityFor(cfg: FileApiConfig, handle: string, calls: readonly CallName[]): Security | undefined {
  if (cfg.secret) return createSecurity({ expiry: Math.floor(Date.now() / 1000) + CALL_POLICY_SECONDS, call: [...calls], handle }, cfg.secret);
  return cfg.security;
}

function securityQuery(sec: Security | undefined): string {
  return sec ? `policy=${encodeURIComponent(sec.policy)}&signature=${encodeURIComponent(sec.signature)}` : '';
}

/** A CDN URL that carries `security=p:<policy>,s:<signature>` (spec §6 "Signed URL construction"). */
export function signedUrl(cfg: Pick<FileApiConfig, 'cdnBase' | 'secret'>, handle: string, opts: { expiry: number; calls?: readonly CallName[] }): string {
  if (!cfg.secret) throw new FerryError(appError('bad_request', 'A signed URL needs the app secret.', { retryable: false }));
  const sec = createSecurity({ expiry: opts.expiry, call: [...(opts.calls ?? ['read'])], handle }, cfg.secret);
  return `${cfg.cdnBase.replace(/\/+$/, '')}/security=p:${sec.policy},s:${sec.signature}/${handle}`;
}

function cdnUrl(cfg: FileApiConfig, handle: string): string {
  const sec = securityFor(cfg, handle, ['read']);
  const base = cfg.cdnBase.replace(/\/+$/, '');
  return sec ? `${base}/security=p:${sec.policy},s:${sec.signature}/${handle}` : `${base}/${handle}`;
}

function retried<T>(cfg: FileApiConfig, opts: CallOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = opts.signal ?? new AbortController().signal;
  return withRetry(() => fn(signal), { policy: cfg.retry ?? DEFAULT_RETRY, signal });
}

const timeout = (cfg: FileApiConfig): { timeoutMs?: number } => (cfg.timeoutMs !== undefined ? { timeoutMs: cfg.timeoutMs } : {});

/** The whole file in memory (small files, previews). */
export function getContent(cfg: FileApiConfig, handle: string, opts: CallOptions = {}): Promise<Buffer> {
  return retried(cfg, opts, async (signal) => {
    const res = await httpRequest({ method: 'GET', url: cdnUrl(cfg, handle), signal, ...timeout(cfg) });
    if (res.status !== 200) throw errorFromResponse(res, `GET ${handle}`);
    return res.body;
  });
}

/** Streams the file to `dest` via a temp file renamed into place; resolves with the byte count. */
export function download(cfg: FileApiConfig, handle: string, dest: string, opts: CallOptions = {}): Promise<{ bytes: number }> {
  return retried(cfg, opts, (signal) => streamTo(cdnUrl(cfg, handle), dest, signal));
}

function streamTo(url: string, dest: string, signal: AbortSignal): Promise<{ bytes: number }> {
  const tmp = `${dest}.${process.pid}.${Date.now()}.part`;
  return new Promise<{ bytes: number }>((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { signal }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(errorFromResponse({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }, 'download')));
        res.on('error', reject);
        return;
      }
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      pipeline(res, createWriteStream(tmp))
        .then(() => rename(tmp, dest))
        .then(() => resolve({ bytes }), reject);
    });
    req.on('error', reject);
  }).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    if (signal.aborted) throw new FerryError(appError('aborted', 'The download was canceled.'));
    if (err instanceof FerryError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    throw new FerryError(appError('network', `Download failed: ${toAppError(err).message}`, { details: { errno: code } }));
  });
}

/** Metadata for the named attributes (`size`, `mimetype`, `md5`, `width`...); adds `handle`. */
export function metadata(cfg: FileApiConfig, handle: string, fields: readonly string[] = [], opts: CallOptions = {}): Promise<Record<string, unknown>> {
  return retried(cfg, opts, async (signal) => {
    const calls: CallName[] = fields.includes('exif') ? ['stat', 'exif'] : ['stat'];
    const qs = [...fields.map((f) => `${encodeURIComponent(f)}=true`), securityQuery(securityFor(cfg, handle, calls))].filter(Boolean).join('&');
    const res = await jsonRequest({ method: 'GET', url: `${fileApiRoot(cfg.fileApiBase)}/${handle}/metadata${qs ? `?${qs}` : ''}`, signal, ...timeout(cfg) });
    if (typeof res.data !== 'object' || res.data === null) throw new FerryError(appError('protocol', 'Metadata answer is not a JSON object.', { retryable: false }));
    return { ...(res.data as Record<string, unknown>), handle };
  });
}

/** What an overwrite answers. */
export type OverwriteResult = { readonly url?: string; readonly size?: number; readonly mimetype?: string; readonly filename?: string };

/** Replaces a file's bytes, from a local path (raw body) or from a URL (`url=` form field). */
export async function overwrite(cfg: FileApiConfig, handle: string, from: { path: string; mimetype?: string } | { url: string }, opts: CallOptions = {}): Promise<OverwriteResult> {
  // Buffered: overwrites are small edits; big files go through the multipart provider.
  const body = 'path' in from ? await readFile(from.path) : `url=${encodeURIComponent(from.url)}`;
  const contentType = 'path' in from ? (from.mimetype ?? 'application/octet-stream') : 'application/x-www-form-urlencoded';
  return retried(cfg, opts, async (signal) => {
    const qs = [`key=${encodeURIComponent(cfg.apikey)}`, securityQuery(securityFor(cfg, handle, ['write']))].filter(Boolean).join('&');
    const res = await jsonRequest({ method: 'POST', url: `${fileApiRoot(cfg.fileApiBase)}/${handle}?${qs}`, headers: { 'Content-Type': contentType }, body, signal, ...timeout(cfg) });
    return (res.data ?? {}) as OverwriteResult;
  });
}

/** Deletes a file. A 404 on a retry means an earlier attempt already deleted it. */
export async function remove(cfg: FileApiConfig, handle: string, opts: CallOptions = {}): Promise<void> {
  let attempts = 0;
  await retried(cfg, opts, async (signal) => {
    attempts++;
    const qs = [`key=${encodeURIComponent(cfg.apikey)}`, securityQuery(securityFor(cfg, handle, ['remove']))].filter(Boolean).join('&');
    try {
      await jsonRequest({ method: 'DELETE', url: `${fileApiRoot(cfg.fileApiBase)}/${handle}?${qs}`, signal, ...timeout(cfg) });
    } catch (err) {
      if (attempts > 1 && toAppError(err).code === 'not_found') return;
      throw err;
    }
  });
}
