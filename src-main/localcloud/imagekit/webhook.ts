/**
 * Upload webhooks (spec §9): when an upload names a `webhookUrl`, the emulator POSTs one
 * `file.created` event there, signed `x-ik-signature: t=<ms>,v1=<hex>` with the account's webhook
 * secret (default: its private key). Fire-and-forget with one attempt: the upload answer never
 * waits for, or fails because of, the receiver.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../protocol/imagekit/webhook.js';
import type { CloudContext } from '../context.js';
import type { ResolvedAccount } from './account.js';

/** How long one delivery may take before it is abandoned. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** Sends the `file.created` event for an upload answer, in the background. */
export function sendUploadWebhook(account: ResolvedAccount, url: string, data: Record<string, unknown>, ctx: CloudContext): void {
  const body = JSON.stringify({ type: 'file.created', id: randomUUID(), created_at: new Date().toISOString(), data });
  const now = Date.now();
  const headers = {
    'content-type': 'application/json',
    [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, account.webhookSecret ?? account.privateKey, now),
  };
  fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) })
    .then((r) => r.body?.cancel())
    .catch((err: unknown) => ctx.log?.('error', `ImageKit webhook to ${url} failed: ${err instanceof Error ? err.message : String(err)}`));
}
