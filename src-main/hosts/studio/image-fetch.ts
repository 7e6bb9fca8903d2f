/**
 * Bounded downloads for the studio: an image is fetched whole (sharp needs all of it), so the
 * size is capped while the body streams in and the request has an overall time budget.
 */
import { loadSharp } from '../../localcloud/processing/sharp-lazy.js';
import { appError, FerryError } from '../../../src-shared/errors.js';
import type { ImageFacts } from '../../../src-shared/ipc/channels.js';
import { errorFromResponse, httpRequest } from '../../net/http.js';

/** Largest image the studio reads (original or rendered), bytes. */
export const MAX_STUDIO_IMAGE_BYTES = 50 * 1024 * 1024;
/** Time budget of one download, ms (renders of large images take a while on the local cloud). */
export const STUDIO_FETCH_TIMEOUT_MS = 60_000;

/** Downloads `url` into memory; payload_too_large past `maxBytes`, HTTP errors as typed errors. */
export async function fetchBounded(
  url: string,
  what: string,
  opts: { maxBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ data: Buffer; mimetype: string }> {
  const maxBytes = opts.maxBytes ?? MAX_STUDIO_IMAGE_BYTES;
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  try {
    const res = await httpRequest({
      method: 'GET',
      url,
      signal: abort.signal,
      timeoutMs: opts.timeoutMs ?? STUDIO_FETCH_TIMEOUT_MS,
      onResponseData: (chunk) => {
        total += chunk.length;
        if (total > maxBytes) {
          tooLarge = true;
          abort.abort();
          return;
        }
        chunks.push(chunk);
      },
    });
    const body = Buffer.concat(chunks);
    if (res.status < 200 || res.status > 299) throw errorFromResponse({ ...res, body }, what);
    const type = res.headers['content-type'];
    const mimetype = (typeof type === 'string' ? type.split(';', 1)[0]?.trim() : undefined) || 'application/octet-stream';
    return { data: body, mimetype };
  } catch (thrown) {
    if (tooLarge) throw new FerryError(appError('payload_too_large', `${what} is larger than ${maxBytes} bytes.`, { retryable: false }));
    throw thrown;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Width, height and format as sharp reads them; `unsupported` when the bytes are no image. */
export async function imageFacts(data: Buffer, what: string): Promise<ImageFacts> {
  try {
    const meta = await (await loadSharp())(data, { limitInputPixels: 268_402_689 }).metadata();
    if (meta.width === undefined || meta.height === undefined || meta.format === undefined) throw new Error('no dimensions');
    return { width: meta.width, height: meta.height, format: meta.format, bytes: data.length };
  } catch {
    throw new FerryError(appError('unsupported', `${what} is not an image Ferry can read.`, { retryable: false }));
  }
}
