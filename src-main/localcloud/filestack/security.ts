import { checkPolicy, type PolicyRequest } from '../../../src-shared/filestack/policy.js';
import { verifySecurity } from '../../protocol/filestack/signing.js';
import type { LocalCloudApp } from '../context.js';
import { HttpError } from '../router.js';

export type SecurityPair = { policy?: string | undefined; signature?: string | undefined };

/**
 * Enforces an app's security policy (spec §2) when the app requires it. Apps without
 * `securityRequired` accept calls without a policy, as Filestack does when security is off; but
 * a policy that IS sent to an app with a secret is still verified, so a signed link the app
 * handed out stops working when it expires or is tampered with (Ferry's library signs links
 * for the local cloud, whose built-in app does not require security).
 * `optional` is for /multipart/upload, where Python and Go send no policy (spec §11.2).
 */
export function enforceSecurity(app: LocalCloudApp, pair: SecurityPair, request: Omit<PolicyRequest, 'now'>, opts: { optional?: boolean } = {}): void {
  const present = pair.policy !== undefined && pair.signature !== undefined;
  if (!app.securityRequired && !(present && app.secret)) return;
  if (pair.policy === undefined || pair.signature === undefined) {
    if (opts.optional) return;
    throw new HttpError(403, 'forbidden', 'This application requires a security policy and signature.');
  }
  if (!app.secret) throw new HttpError(403, 'forbidden', 'The application has no secret to verify policies with.');
  const verified = verifySecurity(pair.policy, pair.signature, app.secret);
  if (!verified.ok) throw new HttpError(403, 'forbidden', verified.reason === 'signature' ? 'Invalid policy signature.' : 'Malformed policy.');
  const check = checkPolicy(verified.policy, { ...request, now: Math.floor(Date.now() / 1000) });
  if (!check.ok) throw new HttpError(403, 'forbidden', check.message);
}

/** Reads a `security=p:..,s:..` / `security=policy:..,signature:..` CDN task (any order, optional quotes). */
export function securityFromTask(task: string): SecurityPair {
  const body = task.slice(task.indexOf('=') + 1);
  const out: SecurityPair = {};
  for (const raw of splitParams(body)) {
    const idx = raw.indexOf(':');
    if (idx < 0) continue;
    const key = raw.slice(0, idx);
    const value = raw.slice(idx + 1).replace(/^"(.*)"$/, '$1');
    if (key === 'p' || key === 'policy') out.policy = value;
    if (key === 's' || key === 'signature') out.signature = value;
  }
  return out;
}

function splitParams(body: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of body) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}
