/**
 * Media API — technical metadata (spec §5.6, §5.7): by file id, or by a delivery URL of the
 * account. The URL goes out properly percent-encoded as one query value (v6 concatenated it raw,
 * so `&` inside the URL split it into stray parameters).
 */
import { metadataSchema, type FileMetadata } from './schemas.js';
import { apiCall, badRequest, expectShape, seg, type CallOptions, type ResolvedConfig } from './transport.js';
import { requireId } from './validate.js';

/** `GET /v1/files/{fileId}/metadata`. */
export async function getFileMetadata(cfg: ResolvedConfig, fileId: string, call: CallOptions = {}): Promise<FileMetadata> {
  const res = await apiCall(cfg, { ...call, method: 'GET', path: `/v1/files/${seg(requireId(fileId, 'fileId'))}/metadata` });
  return expectShape('file metadata', metadataSchema, res.data);
}

/** `GET /v1/metadata?url=<encoded url>`; the URL must be served by this account. */
export async function getRemoteFileMetadata(cfg: ResolvedConfig, url: string, call: CallOptions = {}): Promise<FileMetadata> {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw badRequest('Invalid url', 'Pass the full http(s) URL of a file in your account.');
  const res = await apiCall(cfg, { ...call, method: 'GET', path: '/v1/metadata', query: { url } });
  return expectShape('remote file metadata', metadataSchema, res.data);
}
