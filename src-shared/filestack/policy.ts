/**
 * Filestack security policies (spec §2.1): the document schema and the pure rule check the
 * local cloud runs after the signature has been verified (src-main/protocol/filestack/signing.ts).
 */
import { z } from 'zod';

/** Every call name a policy can grant (the JS enum, spec §2.1). */
export const CALL_NAMES = [
  'pick',
  'read',
  'stat',
  'write',
  'writeUrl',
  'store',
  'convert',
  'remove',
  'exif',
  'runWorkflow',
] as const;

/** One operation a policy can allow. */
export type CallName = (typeof CALL_NAMES)[number];

/** Zod enum of the call names. */
export const CallNameSchema = z.enum(CALL_NAMES);

/** A policy document. Regex fields (`url`, `path`, `container`) are matched against the whole value. */
export const PolicySchema = z.preprocess(
  // The Java SDK writes `calls` (plural, spec §2.1); treat it as `call` when `call` is absent.
  (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
    const { calls, ...rest } = raw as Record<string, unknown>;
    return 'call' in rest || calls === undefined ? rest : { ...rest, call: calls };
  },
  z.object({
    /** Unix seconds; the policy is valid while `expiry > now`. */
    expiry: z.number().int(),
    call: z.union([z.array(CallNameSchema), CallNameSchema]).optional(),
    handle: z.string().optional(),
    url: z.string().optional(),
    /** Bytes, inclusive upper bound. */
    maxSize: z.number().int().nonnegative().optional(),
    /** Bytes, inclusive lower bound. */
    minSize: z.number().int().nonnegative().optional(),
    path: z.string().optional(),
    container: z.string().optional(),
  }),
);

/** A Filestack security policy. */
export type Policy = z.infer<typeof PolicySchema>;

/** What a request wants to do, as far as the policy rules care. */
export type PolicyRequest = {
  readonly call: CallName;
  readonly handle?: string;
  readonly url?: string;
  /** Upload size in bytes. */
  readonly size?: number;
  readonly path?: string;
  readonly container?: string;
  /** Unix seconds. */
  readonly now: number;
};

/** Which rule refused the request. */
export type PolicyDenial = 'expired' | 'call' | 'handle' | 'url' | 'size' | 'path' | 'container';

/** Result of checkPolicy. */
export type PolicyCheck = { ok: true } | { ok: false; reason: PolicyDenial; message: string };

// Patterns come from a signed document, but a typo should still not hang or crash the server:
// cap their length and treat a pattern that does not compile as "denies everything".
const MAX_PATTERN_LENGTH = 1000;

function fullMatch(pattern: string, value: string): boolean | 'invalid' {
  if (pattern.length > MAX_PATTERN_LENGTH) return 'invalid';
  try {
    // Anchored on purpose: `example\.com` must not admit `https://evil.test/?example.com`.
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return 'invalid';
  }
}

function deny(reason: PolicyDenial, message: string): PolicyCheck {
  return { ok: false, reason, message };
}

/**
 * Checks a verified policy against one request. Restrictions only apply to facts the request
 * states (e.g. `handle` is not checked for an upload that has no handle yet); a policy without
 * `call` allows every call except `exif` (spec §2.1).
 */
export function checkPolicy(policy: Policy, request: PolicyRequest): PolicyCheck {
  if (!(policy.expiry > request.now)) {
    return deny('expired', `The policy expired at ${policy.expiry} (now ${request.now}).`);
  }
  const calls = policy.call === undefined ? undefined : typeof policy.call === 'string' ? [policy.call] : policy.call;
  if (calls === undefined ? request.call === 'exif' : !calls.includes(request.call)) {
    return deny('call', `The policy does not allow the "${request.call}" call.`);
  }
  if (policy.handle !== undefined && request.handle !== undefined && policy.handle !== request.handle) {
    return deny('handle', `The policy is limited to handle ${policy.handle}, not ${request.handle}.`);
  }
  if (request.size !== undefined) {
    if (policy.maxSize !== undefined && request.size > policy.maxSize) {
      return deny('size', `The file is ${request.size} bytes; the policy allows at most ${policy.maxSize}.`);
    }
    if (policy.minSize !== undefined && request.size < policy.minSize) {
      return deny('size', `The file is ${request.size} bytes; the policy requires at least ${policy.minSize}.`);
    }
  }
  const regexRules = [
    ['url', policy.url, request.url],
    ['path', policy.path, request.path],
    ['container', policy.container, request.container],
  ] as const;
  for (const [reason, pattern, value] of regexRules) {
    if (pattern === undefined || value === undefined) continue;
    const matched = fullMatch(pattern, value);
    if (matched === 'invalid') return deny(reason, `The policy's ${reason} pattern is not a valid regular expression.`);
    if (!matched) return deny(reason, `The ${reason} "${value}" does not match the policy pattern.`);
  }
  return { ok: true };
}

/** Parses an untrusted policy JSON object; null when it is not a valid policy. */
export function parsePolicy(raw: unknown): Policy | null {
  const parsed = PolicySchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
