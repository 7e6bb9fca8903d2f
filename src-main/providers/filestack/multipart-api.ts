import type { OutgoingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { errorFromResponse, httpRequest, jsonRequest } from '../../net/http.js';
import type { RateLimiter } from '../../net/throttle.js';
import { sessionSchema, type MultipartSession } from './checkpoint.js';
import type { UploadTags, WireStore } from '../../protocol/filestack/store-params.js';

/**
 * The wire calls of a regular Filestack multipart upload (spec §3), one function per call.
 * No retries or orchestration here; provider.ts does that.
 */

export type ApiConfig = {
  readonly apikey: string;
  /** Host of /multipart/start, e.g. https://upload.filestackapi.com (no trailing slash). */
  readonly uploadBase: string;
  readonly security?: { readonly policy: string; readonly signature: string };
  readonly timeoutMs?: number;
  /** "No progress for T" per request, in ms (net/http default 30 s). */
  readonly stallTimeoutMs?: number;
  /** Shared bandwidth limit for request bodies. */
  readonly limiter?: RateLimiter;
  /** The store object of every call (store-params.ts storeWireConfig); default `{location: 's3'}`. */
  readonly store?: WireStore;
  /** Top-level `upload_tags`, sent on complete only (spec §3.5). */
  readonly uploadTags?: UploadTags;
};

export type FileFacts = { readonly filename: string; readonly mimetype: string; readonly size: number };

const STORE = { location: 's3' } as const;
/** The store object every call carries (spec §3.6); `s3` when none was configured. */
export const storeOf = (cfg: ApiConfig): WireStore | typeof STORE => cfg.store ?? STORE;
const SOURCE_HEADER = { 'Filestack-Source': 'Ferry-0.1.0' } as const;

/** A response that does not have the shape the spec gives (shared with intelligent-api.ts). */
export function protocolError(what: string, err: z.ZodError): FerryError {
  const issue = err.issues[0];
  return new FerryError(appError('protocol', `Unexpected ${what} response: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`));
}

/** Base URL for calls after start: JS-style, a full URL is used verbatim, a bare host gets https:// (spec §3.1). */
export function locationBase(session: MultipartSession): string {
  const loc = session.location_url.replace(/\/+$/, '');
  return /^https?:\/\//i.test(loc) ? loc : `https://${loc}`;
}

/** Headers of every call; after start, the session's upload region too. */
export function apiHeaders(session?: MultipartSession): OutgoingHttpHeaders {
  return session?.location_region ? { ...SOURCE_HEADER, 'Filestack-Upload-Region': session.location_region } : { ...SOURCE_HEADER };
}

export function securityFields(cfg: ApiConfig): Record<string, string> {
  return cfg.security ? { policy: cfg.security.policy, signature: cfg.security.signature } : {};
}

export function sessionFields(cfg: ApiConfig, s: MultipartSession): Record<string, string> {
  return { apikey: cfg.apikey, uri: s.uri, region: s.region, upload_id: s.upload_id };
}

/** Per-request transport tuning taken from the config (timeouts, stall window, bandwidth limit). */
export const timeout = (cfg: Pick<ApiConfig, 'timeoutMs' | 'stallTimeoutMs' | 'limiter'>): { timeoutMs?: number; stallTimeoutMs?: number; limiter?: RateLimiter } => ({
  ...(cfg.timeoutMs !== undefined ? { timeoutMs: cfg.timeoutMs } : {}),
  ...(cfg.stallTimeoutMs !== undefined ? { stallTimeoutMs: cfg.stallTimeoutMs } : {}),
  ...(cfg.limiter !== undefined ? { limiter: cfg.limiter } : {}),
});

/** POST /multipart/start → the session (all four keys required, like the JS SDK). */
export async function startUpload(cfg: ApiConfig, file: FileFacts, signal: AbortSignal): Promise<MultipartSession> {
  const res = await jsonRequest({
    method: 'POST',
    url: `${cfg.uploadBase.replace(/\/+$/, '')}/multipart/start`,
    headers: apiHeaders(),
    json: { apikey: cfg.apikey, filename: file.filename, mimetype: file.mimetype, size: file.size, store: storeOf(cfg), ...securityFields(cfg) },
    signal,
    ...timeout(cfg),
  });
  const parsed = sessionSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/multipart/start', parsed.error);
  return parsed.data;
}

const partUrlSchema = z.object({ url: z.string().min(1), headers: z.record(z.string(), z.string()).optional() });
export type PartUrl = { readonly url: string; readonly headers: Record<string, string> };

/** POST /multipart/upload → presigned URL + headers to send verbatim on the PUT. */
export async function requestPartUrl(
  cfg: ApiConfig,
  session: MultipartSession,
  part: { number: number; size: number; md5: string },
  signal: AbortSignal,
): Promise<PartUrl> {
  const res = await jsonRequest({
    method: 'POST',
    url: `${locationBase(session)}/multipart/upload`,
    headers: apiHeaders(session),
    json: { ...sessionFields(cfg, session), part: part.number, size: part.size, md5: part.md5, store: storeOf(cfg), ...securityFields(cfg) },
    signal,
    ...timeout(cfg),
  });
  const parsed = partUrlSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/multipart/upload', parsed.error);
  return { url: parsed.data.url, headers: parsed.data.headers ?? {} };
}

/** PUTs one part with exactly the server-given headers; returns the ETag as received. */
export async function putPart(
  target: PartUrl,
  body: Buffer,
  signal: AbortSignal,
  onProgress: (sent: number) => void,
  timeoutMs?: number,
  net?: Pick<ApiConfig, 'stallTimeoutMs' | 'limiter'>,
): Promise<string> {
  const res = await httpRequest({
    method: 'PUT',
    url: target.url,
    headers: target.headers,
    body,
    signal,
    onUploadProgress: onProgress,
    ...(net ? timeout(net) : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (res.status >= 400) throw errorFromResponse(res, 'Part upload');
  const etag = res.headers.etag;
  if (typeof etag !== 'string' || etag === '') {
    throw new FerryError(appError('protocol', 'The storage server did not return an ETag for the part (check the bucket CORS settings).', { retryable: false }));
  }
  return etag;
}


const completeSchema = z.object({
  handle: z.string().min(1),
  url: z.string().optional(),
  filename: z.string().optional(),
  size: z.number().optional(),
  mimetype: z.string().optional(),
  status: z.string().optional(),
  /** The stored bytes' MD5; only the local cloud sends it (see verifyFromComplete). */
  md5: z.string().optional(),
  /** S3-style ETag of the received pieces; only the local cloud sends it (see verifyFromEtag). */
  etag: z.string().optional(),
  /** Where the file was stored and what was echoed (spec §3.5). */
  container: z.string().optional(),
  key: z.string().optional(),
  path: z.string().optional(),
  upload_tags: z.record(z.string(), z.string()).optional(),
  workflows: z.unknown().optional(),
});
export type CompleteResponse = z.infer<typeof completeSchema>;

/** POST /multipart/complete → `null` for 202 (not ready; ask again) or the stored file. */
export async function completeUpload(
  cfg: ApiConfig,
  session: MultipartSession,
  file: FileFacts,
  parts: ReadonlyArray<{ part_number: number; etag: string }>,
  signal: AbortSignal,
): Promise<CompleteResponse | null> {
  const res = await jsonRequest({
    method: 'POST',
    url: `${locationBase(session)}/multipart/complete`,
    headers: apiHeaders(session),
    json: { ...sessionFields(cfg, session), filename: file.filename, mimetype: file.mimetype, size: file.size, store: storeOf(cfg), parts, ...(cfg.uploadTags ? { upload_tags: cfg.uploadTags } : {}), ...securityFields(cfg) },
    signal,
    ...timeout(cfg),
  });
  return readCompleteAnswer(res, file);
}

/**
 * A /multipart/complete answer, regular or intelligent: `null` for 202 (not ready; ask again),
 * else the stored file, checked to hold the size that was sent.
 */
export function readCompleteAnswer(res: { status: number; data: unknown }, file: FileFacts): CompleteResponse | null {
  if (res.status === 202) return null;
  if (res.status !== 200) {
    // Go treats 206 as "not committed"; anything but 200/202 is not a finished upload.
    throw new FerryError(appError('protocol', `/multipart/complete answered HTTP ${res.status}.`, { details: { status: res.status } }));
  }
  const parsed = completeSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/multipart/complete', parsed.error);
  // A 200 that names a different size stored something other than what we sent: never "done".
  if (parsed.data.size !== undefined && parsed.data.size !== file.size) {
    throw new FerryError(
      appError('integrity', `/multipart/complete reports ${parsed.data.size} bytes stored; ${file.size} were sent.`, {
        retryable: false,
        details: { storedSize: parsed.data.size, sourceSize: file.size },
      }),
    );
  }
  return parsed.data;
}
