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
  opts: { readonly maxBytes: number; readonly timeoutMs: number; readonly headers?: Record<string, string> },
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
    res = await fetch(parsed, { redirect: 'follow', signal: controller.signal, ...(opts.headers ? { headers: opts.headers } : {}) });
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
