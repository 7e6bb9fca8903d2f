/**
 * Turns a text `file` field into bytes (spec §2.1): an http(s) URL is fetched (response headers
 * must arrive within the timeout, 8 s by default), anything else is base64, plain or as a data
 * URI.
 */
import { IkError } from './http.js';
import { fetchCapped, type FetchCappedOptions } from '../fetch-capped.js';

/** Options of {@link resolveTextFile}: limits plus the server's fetch policy (fetchPolicyOf). */
export type TextFileOptions = { readonly maxBytes: number; readonly timeoutMs: number } & Pick<FetchCappedOptions, 'allowPrivate' | 'self' | 'ca'>;

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes base64 (standard or URL-safe, whitespace ignored, optional `data:...;base64,` prefix). */
export function decodeBase64File(text: string): Buffer {
  const body = text.replace(/^data:[^,]*?;base64,/i, '').replace(/\s+/g, '');
  if (body === '' || !BASE64_RE.test(body)) {
    throw new IkError(400, 'Your request contains invalid file parameter. It should be a binary file, a base64 string or an http(s) URL.');
  }
  return Buffer.from(body, 'base64');
}

/** Fetches a remote file; slow headers, non-2xx answers and oversize bodies are 400s. */
export async function fetchRemoteFile(url: string, opts: TextFileOptions): Promise<Buffer> {
  const fetched = await fetchCapped(url, opts);
  if (fetched.ok) return fetched.value.data;
  const f = fetched.failure;
  if (f.kind === 'too-large') throw new IkError(413, `The file at ${url} is larger than the ${opts.maxBytes} bytes this server accepts.`);
  if (f.kind === 'refused') {
    throw new IkError(403, `We refused to fetch the file from the URL ${url}: ${f.host} is a ${f.range} address (${f.address}).`, { reason: 'URL_NOT_ALLOWED' });
  }
  const why =
    f.kind === 'status' ? `HTTP ${f.status}` : f.kind === 'invalid-url' ? 'not an http(s) URL' : f.timedOut ? `no response within ${opts.timeoutMs / 1000} s` : f.reason;
  throw new IkError(400, `We could not fetch the file from the URL ${url} (${why}).`);
}

/** Bytes of a text `file` field: URL → fetched, otherwise base64. */
export async function resolveTextFile(text: string, opts: TextFileOptions): Promise<Buffer> {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) return fetchRemoteFile(t, opts);
  const bytes = decodeBase64File(t);
  if (bytes.length > opts.maxBytes) throw new IkError(413, `The file is larger than the ${opts.maxBytes} bytes this server accepts.`);
  return bytes;
}
