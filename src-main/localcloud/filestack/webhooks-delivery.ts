/**
 * Webhooks the local cloud sends (spec §9): `fp.upload` after a completed upload and
 * `fp.video_complete` after an A/V conversion, to every URL in the app's `webhookUrls`.
 *
 * Signing: FS-Timestamp (Unix seconds) and FS-Signature = hex HMAC-SHA256 over
 * `<timestamp>.<raw body>` with the app's `webhookSecret`, else its `secret` (real Filestack has
 * a dedicated webhook secret in the developer portal). An app with neither gets unsigned
 * deliveries.
 *
 * Retries: a response other than 200, 201 or 204 (or no response) is retried 3 times. Real
 * Filestack waits 5 min, 30 min and 12 h; the local cloud uses short delays (default 0.5 s, 2 s,
 * 10 s) so a developer sees redelivery at once. Deliveries run in the background and never
 * delay the answer of the request that caused them; pending retries live only in memory.
 */
import { randomInt } from 'node:crypto';
import { httpRequest } from '../../net/http.js';
import { signWebhook } from '../../protocol/filestack/webhook.js';
import type { CloudContext, LocalCloudApp } from '../context.js';
import type { StoredFile } from '../storage.js';

/** Delivery tuning; tests shorten the delays. */
export type WebhookOptions = {
  /** Wait before each retry, in ms; its length is the number of retries. Default [500, 2000, 10000]. */
  readonly retryDelaysMs?: readonly number[];
  /** Per-attempt timeout in ms; default 10 000. */
  readonly timeoutMs?: number;
};

/** The JSON body of one webhook, shaped like the Filestack docs' examples. */
export type WebhookBody = {
  readonly id: number;
  readonly action: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly text: Readonly<Record<string, unknown>>;
};

const OK_STATUSES = new Set([200, 201, 204]);
const DEFAULT_DELAYS = [500, 2000, 10_000] as const;
const OPTIONS_KEY = 'filestack.webhookOptions';

/** Records the server's webhook options (the Filestack routes call this; CloudContext is shared). */
export function setWebhookOptions(ctx: CloudContext, opts: WebhookOptions | undefined): void {
  if (opts) ctx.state.set(OPTIONS_KEY, opts);
}

function optionsOf(ctx: CloudContext): WebhookOptions {
  return (ctx.state.get(OPTIONS_KEY) as WebhookOptions | undefined) ?? {};
}

function waitMs(ms: number): Promise<void> {
  // unref: a pending redelivery must not keep a closing process alive.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Sends one body to one URL, retrying per the options; resolves with the number of attempts and
 * whether one was accepted. Never rejects.
 */
export async function deliverWebhook(url: string, secret: string | undefined, body: WebhookBody, opts: WebhookOptions = {}): Promise<{ delivered: boolean; attempts: number; lastStatus: number | null }> {
  const raw = Buffer.from(JSON.stringify(body), 'utf8');
  const delays = opts.retryDelaysMs ?? DEFAULT_DELAYS;
  let lastStatus: number | null = null;
  for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
    // A fresh timestamp per attempt, so a receiver's freshness window never rejects a retry.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Ferry-LocalCloud-Webhooks/1' };
    if (secret !== undefined && secret !== '') {
      headers['FS-Timestamp'] = timestamp;
      headers['FS-Signature'] = signWebhook(secret, raw, timestamp);
    }
    try {
      const res = await httpRequest({ method: 'POST', url, headers, body: raw, timeoutMs: opts.timeoutMs ?? 10_000 });
      lastStatus = res.status;
      if (OK_STATUSES.has(res.status)) return { delivered: true, attempts: attempt, lastStatus };
    } catch {
      lastStatus = null;
    }
    const delay = delays[attempt - 1];
    if (delay === undefined) break;
    await waitMs(delay);
  }
  return { delivered: false, attempts: delays.length + 1, lastStatus };
}

/** Sends `action` to every webhook URL of `app` in the background. */
export function emitWebhook(ctx: CloudContext, app: LocalCloudApp | undefined, action: string, text: Record<string, unknown>): void {
  const urls = app?.webhookUrls ?? [];
  if (!app || urls.length === 0) return;
  const body: WebhookBody = { id: randomInt(1, 2 ** 31 - 1), action, timestamp: Math.floor(Date.now() / 1000), text };
  const secret = app.webhookSecret ?? app.secret;
  for (const url of urls) {
    void deliverWebhook(url, secret, body, optionsOf(ctx)).then((r) => {
      if (!r.delivered) ctx.log?.('error', `Webhook ${action} to ${url} was not accepted after ${r.attempts} attempts (last status ${r.lastStatus ?? 'none'}).`);
    });
  }
}

/** `fp.upload` for a freshly stored file (the docs' `text` keys, plus `handle`). */
export function emitUploadWebhook(ctx: CloudContext, file: StoredFile): void {
  emitWebhook(ctx, ctx.apps.get(file.apikey), 'fp.upload', {
    container: file.container,
    url: `${ctx.baseUrl}/${file.handle}`,
    filename: file.filename,
    client: 'Computer',
    key: file.key,
    type: file.mimetype,
    status: 'Stored',
    size: file.size,
    handle: file.handle,
  });
}
