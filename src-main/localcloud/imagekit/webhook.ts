/**
 * Upload webhooks (spec §9): when an upload names a `webhookUrl`, the emulator POSTs one
 * `file.created` event there, signed both ways the SDKs check (`x-ik-signature: t=<ms>,v1=<hex>`
 * for v6, Standard Webhooks headers for v7) with the account's webhook secret (default: its
 * private key). Fire-and-forget with one attempt: the upload answer never
 * waits for, or fails because of, the receiver.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../protocol/imagekit/webhook.js';
import type { CloudContext } from '../context.js';
import type { ResolvedAccount } from './account.js';

/** How long one delivery may take before it is abandoned. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The Standard Webhooks signature v7's `webhooks.unwrap` checks (spec §9): `v1,` + base64
 * HMAC-SHA256 over `<id>.<unix seconds>.<body>`, keyed with the secret's UTF-8 bytes (v7 hands
 * the library base64(secret), which it decodes back to those bytes).
 */
function standardSignature(id: string, seconds: number, body: string, secret: string): string {
  return `v1,${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${seconds}.${body}`, 'utf8').digest('base64')}`;
}

/** Sends the `file.created` event for an upload answer, in the background. */
export function sendUploadWebhook(account: ResolvedAccount, url: string, data: Record<string, unknown>, ctx: CloudContext): void {
  const id = randomUUID();
  const body = JSON.stringify({ type: 'file.created', id, created_at: new Date().toISOString(), data });
  const now = Date.now();
  const secret = account.webhookSecret ?? account.privateKey;
  // Both schemes ImageKit's SDKs verify: v6's x-ik-signature and v7's Standard Webhooks headers.
  const headers = {
    'content-type': 'application/json',
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, secret, now),
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': standardSignature(id, Math.floor(now / 1000), body, secret),
  };
  fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) })
    .then((r) => r.body?.cancel())
    .catch((err: unknown) => ctx.log?.('error', `ImageKit webhook to ${url} failed: ${err instanceof Error ? err.message : String(err)}`));
}
