import https from 'node:https';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';

/** Why a remote source could not be read; each front end words its own error from this. */
export type FetchFailure =
  | { readonly kind: 'invalid-url' }
  | { readonly kind: 'unreachable'; readonly reason: string; readonly timedOut: boolean }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'too-large' };

export type FetchedSource = { readonly data: Buffer; readonly headers: Headers };

/**
 * Downloads an http(s) URL for the local cloud (store-from-URL, ImageKit URL uploads) with a
 * deadline for the response headers and a byte cap enforced while streaming, so a huge or
 * endless body never fills memory. Throws nothing: failures come back as data.
 */
export async function fetchCapped(
  url: string,
  opts: {
    readonly maxBytes: number;
    readonly timeoutMs: number;
    readonly headers?: Record<string, string>;
    /** An extra trusted certificate (PEM) for https: the local cloud's own, so it can read its own links over TLS. */
    readonly ca?: string;
  },
): Promise<{ ok: true; value: FetchedSource } | { ok: false; failure: FetchFailure }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, failure: { kind: 'invalid-url' } };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, failure: { kind: 'invalid-url' } };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let res: Response;
  try {
    res =
      opts.ca !== undefined && parsed.protocol === 'https:'
        ? await getTrusting(parsed, opts.ca, controller.signal, opts.headers ?? {})
        : await fetch(parsed, { redirect: 'follow', signal: controller.signal, ...(opts.headers ? { headers: opts.headers } : {}) });
  } catch (err) {
    return { ok: false, failure: { kind: 'unreachable', reason: err instanceof Error ? err.message : String(err), timedOut: controller.signal.aborted } };
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, failure: { kind: 'status', status: res.status } };
  }
  if (Number(res.headers.get('content-length') ?? NaN) > opts.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, failure: { kind: 'too-large' } };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // A reader rather than `for await`: it types the same under the DOM and Node libs.
  const reader = res.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > opts.maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, failure: { kind: 'too-large' } };
      }
      chunks.push(Buffer.from(value));
    }
  } catch (err) {
    return { ok: false, failure: { kind: 'unreachable', reason: err instanceof Error ? err.message : String(err), timedOut: false } };
  }
  return { ok: true, value: { data: Buffer.concat(chunks), headers: res.headers } };
}

/**
 * A GET over node:https trusting the public roots plus `ca` (global fetch cannot take a CA on
 * Node 20), answered as a fetch Response so the capped reading above stays one code path.
 * Redirects are not followed: the local cloud's own links do not redirect.
 */
function getTrusting(url: URL, ca: string, signal: AbortSignal, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: [...rootCertificates, ca], headers, signal }, (res) => {
      const status = res.statusCode ?? 502;
      const flat = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat.set(k, Array.isArray(v) ? v.join(', ') : v);
      const empty = status === 204 || status === 304 || status < 200;
      if (empty) res.resume();
      resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: flat }));
    });
    req.on('error', reject);
  });
}
