/**
 * Filestack security signing (spec §2.2): policy JSON → base64 (padding kept) → HMAC-SHA256 hex.
 * The client uses createSecurity(); the local cloud uses verifySecurity() on what it receives.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64DecodeText } from '../../../src-shared/filestack/base64.js';
import type { Policy } from '../../../src-shared/filestack/policy.js';
import { parsePolicy } from '../../../src-shared/filestack/policy.js';

/** Policy as carried on the wire: the encoded policy and its lowercase hex signature. */
export type Security = { readonly policy: string; readonly signature: string };

/**
 * Encodes a policy: JSON.stringify (insertion order, no spaces, like the JS SDK) then base64 with
 * `=` padding. URL-safe by default because the docs say so and it survives URL segments.
 */
export function encodePolicy(policy: Policy, opts: { alphabet?: 'url' | 'standard' } = {}): string {
  const b64 = Buffer.from(JSON.stringify(policy), 'utf8').toString('base64');
  return opts.alphabet === 'standard' ? b64 : b64.replaceAll('+', '-').replaceAll('/', '_');
}

/** Lowercase hex HMAC-SHA256 of the ENCODED policy string, keyed with the app secret. */
export function signPolicy(encoded: string, secret: string): string {
  return createHmac('sha256', secret).update(encoded, 'utf8').digest('hex');
}

/** Encodes and signs a policy in one go. */
export function createSecurity(policy: Policy, secret: string, opts: { alphabet?: 'url' | 'standard' } = {}): Security {
  const encoded = encodePolicy(policy, opts);
  return { policy: encoded, signature: signPolicy(encoded, secret) };
}

/** Result of verifySecurity: the decoded policy, or why it was refused. */
export type VerifiedSecurity = { ok: true; policy: Policy } | { ok: false; reason: 'signature' | 'malformed' };

/**
 * Verifies a received policy/signature pair. The HMAC is computed over the policy text exactly
 * as received (so either alphabet, with or without padding, verifies as signed), compared in
 * constant time, and only then decoded and schema-checked. Expiry and restrictions are for
 * checkPolicy().
 */
export function verifySecurity(encodedPolicy: string, signature: string, secret: string): VerifiedSecurity {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'signature' };
  const expected = createHmac('sha256', secret).update(encodedPolicy, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  const json = base64DecodeText(encodedPolicy);
  if (json === null) return { ok: false, reason: 'malformed' };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const policy = parsePolicy(raw);
  return policy === null ? { ok: false, reason: 'malformed' } : { ok: true, policy };
}
