import { z } from 'zod';
import { errorFromResponse, httpRequest, jsonRequest } from '../../net/http.js';
import { sessionSchema, type MultipartSession } from './checkpoint.js';
import {
  apiHeaders,
  locationBase,
  protocolError,
  readCompleteAnswer,
  securityFields,
  sessionFields,
  storeOf,
  timeout,
  type ApiConfig,
  type CompleteResponse,
  type FileFacts,
  type PartUrl,
} from './multipart-api.js';

/**
 * The wire calls that differ in Intelligent Ingestion (spec §4.1): start with `fii`, a chunk's
 * /multipart/upload with `fii` + `offset`, the chunk PUT (no ETag needed), /multipart/commit,
 * and complete with `fii` (and, in JS-style fallback, the regular parts too). No retries here.
 */

/** The session keys, store and security every call after start carries. */
function common(cfg: ApiConfig, s: MultipartSession): Record<string, unknown> {
  return { ...sessionFields(cfg, s), store: storeOf(cfg), ...securityFields(cfg) };
}

/** A started session and whether the server granted intelligent ingestion. */
export type IntelligentStart = { readonly session: MultipartSession; readonly granted: boolean };

/** POST /multipart/start with `fii: true`; FII is granted only when `upload_type` says so. */
export async function startIntelligent(cfg: ApiConfig, file: FileFacts, signal: AbortSignal): Promise<IntelligentStart> {
  const res = await jsonRequest({
    method: 'POST',
    url: `${cfg.uploadBase.replace(/\/+$/, '')}/multipart/start`,
    headers: apiHeaders(),
    json: { apikey: cfg.apikey, filename: file.filename, mimetype: file.mimetype, size: file.size, store: storeOf(cfg), fii: true, ...securityFields(cfg) },
    signal,
    ...timeout(cfg),
  });
  const parsed = sessionSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/multipart/start', parsed.error);
  const type = (res.data as { upload_type?: unknown }).upload_type;
  return { session: parsed.data, granted: type === 'intelligent_ingestion' };
}

const urlSchema = z.object({ url: z.string().min(1), headers: z.record(z.string(), z.string()).optional() });

/** One chunk: where it sits in its part and what it holds. `md5` is b64(md5) of the chunk. */
export type ChunkRef = { readonly part: number; readonly offset: number; readonly size: number; readonly md5: string };

/** POST /multipart/upload for one chunk (`fii`, `offset`; size and md5 describe the chunk). */
export async function requestChunkUrl(cfg: ApiConfig, session: MultipartSession, chunk: ChunkRef, signal: AbortSignal): Promise<PartUrl> {
  const res = await jsonRequest({
    method: 'POST',
    url: `${locationBase(session)}/multipart/upload`,
    headers: apiHeaders(session),
    json: { ...common(cfg, session), part: chunk.part, size: chunk.size, md5: chunk.md5, offset: chunk.offset, fii: true },
    signal,
    ...timeout(cfg),
  });
  const parsed = urlSchema.safeParse(res.data);
  if (!parsed.success) throw protocolError('/multipart/upload', parsed.error);
  return { url: parsed.data.url, headers: parsed.data.headers ?? {} };
}

/** PUTs one chunk with the server-given headers. FII needs no ETag, so none is required. */
export async function putChunk(cfg: ApiConfig, target: PartUrl, body: Buffer, signal: AbortSignal, onProgress: (sent: number) => void): Promise<void> {
  const res = await httpRequest({
    method: 'PUT',
    url: target.url,
    headers: target.headers,
    body,
    signal,
    onUploadProgress: onProgress,
    ...timeout(cfg),
  });
  if (res.status >= 400) throw errorFromResponse(res, 'Chunk upload');
}

/** POST /multipart/commit: all chunks of `part` are up. `size` is the TOTAL file size (spec §4.1). */
export async function commitPart(cfg: ApiConfig, session: MultipartSession, part: number, fileSize: number, signal: AbortSignal): Promise<void> {
  await jsonRequest({
    method: 'POST',
    url: `${locationBase(session)}/multipart/commit`,
    headers: apiHeaders(session),
    json: { ...common(cfg, session), part, size: fileSize },
    signal,
    ...timeout(cfg),
  });
}


/**
 * POST /multipart/complete with `fii: true`. `parts` lists parts sent the regular way (JS-style
 * fallback); pure FII sends none. Returns null for 202 (ask again).
 */
export async function completeIntelligent(
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
    json: {
      ...common(cfg, session),
      filename: file.filename,
      mimetype: file.mimetype,
      size: file.size,
      fii: true,
      ...(parts.length > 0 ? { parts } : {}),
      ...(cfg.uploadTags ? { upload_tags: cfg.uploadTags } : {}),
    },
    signal,
    ...timeout(cfg),
  });
  return readCompleteAnswer(res, file);
}
