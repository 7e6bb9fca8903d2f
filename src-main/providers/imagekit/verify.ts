/**
 * Upload verification helpers: MD5 of the local source, and MD5 of the stored original fetched
 * from its delivery URL, both streamed (never the whole file in memory).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appError, FerryError } from '../../../src-shared/errors.js';
import { buildUrl } from '../../../src-shared/imagekit/url-builder.js';
import { httpRequest } from '../../net/http.js';
import { toImageKitError } from '../../protocol/imagekit/errors.js';
import { signUrl } from '../../protocol/imagekit/signing.js';

/** Lowercase hex MD5 and byte count of a local file; honours `signal`. */
export async function md5OfFile(path: string, signal: AbortSignal): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}

/**
 * The URL that serves the stored bytes unmodified: `tr=orig-true` asks ImageKit's CDN for the
 * original (without it the CDN may re-encode images: automatic format/quality optimisation). A
 * private file's URL is signed with a short lifetime.
 */
export function originalUrl(url: string, opts: { urlEndpoint: string; privateKey: string; isPrivate: boolean; now: number }): string {
  const plain = buildUrl({ urlEndpoint: opts.urlEndpoint, src: url, transformation: [{ original: true }] }) || url;
  return opts.isPrivate ? signUrl(plain, { urlEndpoint: opts.urlEndpoint, privateKey: opts.privateKey, expiresInSeconds: 300, now: opts.now }) : plain;
}

/** GETs `url` and hashes the body as it streams in; a non-2xx answer is an ImageKit error. */
export async function md5OfUrl(url: string, signal: AbortSignal, timeoutMs?: number): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  // The status is only known afterwards, so keep the first bytes: an error body is small JSON.
  const head: Buffer[] = [];
  const res = await httpRequest({
    method: 'GET',
    url,
    signal,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    onResponseData: (chunk) => {
      hash.update(chunk);
      if (size < 8192) head.push(chunk);
      size += chunk.length;
    },
  });
  if (res.status < 200 || res.status > 299) {
    const text = Buffer.concat(head).toString('utf8').slice(0, 8192);
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // not JSON: keep the text as help
    }
    const err = toImageKitError(res.status, body, res.headers);
    throw new FerryError({ ...err, message: `Could not fetch the stored file to verify it (HTTP ${res.status}: ${err.message})` });
  }
  return { md5: hash.digest('hex'), size };
}

/** The `integrity` failure: stored bytes differ from the source. */
export function integrityError(what: string, details: Record<string, string | number>): FerryError {
  return new FerryError(appError('integrity', `The stored file does not match the source (${what}).`, { retryable: false, details }));
}
