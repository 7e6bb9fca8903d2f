import type { OriginPolicy } from './origin-policy.js';
import type { SessionGc } from './session-gc.js';
import type { Storage } from './storage.js';
import type { PrivateFetchPolicy } from './url-guard.js';

/** One Filestack-style application the local cloud knows. */
export type LocalCloudApp = {
  /** The public API key clients send as `apikey`. */
  readonly apikey: string;
  /** App secret for policy signatures (enforcement lives with the security front end). */
  readonly secret?: string;
  /** When true, calls without a valid policy/signature are refused (enforced where implemented). */
  readonly securityRequired?: boolean;
  /** Whether FII may be granted: start answers `upload_type: intelligent_ingestion` when the client asks (`fii`). */
  readonly intelligentIngestion?: boolean;
  readonly webhookUrls?: string[];
  /** Key for FS-Signature on webhooks; falls back to `secret` (spec §9). */
  readonly webhookSecret?: string;
  /**
   * Keys this app had before (the app's embedded cloud once used DEFAULT_LOCAL_APIKEY): files
   * recorded under them read back as this app's, so they stay manageable. Calls naming a former
   * key are refused like any unknown key.
   */
  readonly formerKeys?: readonly string[];
};

/** What the server saw for one part PUT; used by tests to check parallelism and integrity. */
export type PartPutInfo = {
  readonly uploadId: string;
  readonly part: number;
  /** Content-MD5 header as received (base64), or null. */
  readonly contentMd5Header: string | null;
  /** base64 MD5 of the bytes the server stored (after any test mutation). */
  readonly computedMd5: string;
  readonly bytes: number;
  /** Epoch ms when the request headers arrived / when the body was fully read. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Part PUTs being processed when this one arrived (itself included). */
  readonly inFlightAtStart: number;
  /** Final answer status. */
  readonly status: number;
};

/** What the server saw of an intelligent-ingestion upload; `status` is the answer (499: client went away). */
export type FiiEvent =
  | { readonly type: 'chunk'; readonly uploadId: string; readonly part: number; readonly offset: number; readonly size: number; readonly bytes: number; readonly status: number }
  | { readonly type: 'commit'; readonly uploadId: string; readonly part: number; readonly chunkSizes: readonly number[]; readonly status: number }
  | { readonly type: 'complete'; readonly uploadId: string; readonly committedParts: readonly number[]; readonly listedParts: readonly number[]; readonly status: number };

/** Test instrumentation; production runs pass none. */
export type LocalCloudHooks = {
  /** Called for every FII chunk PUT, commit and FII complete once its answer is decided. */
  onFii?(event: FiiEvent): void;
  /** Called once per part PUT after the answer status is decided. */
  onPartPut?(info: PartPutInfo): void;
  /** Awaited after a part's body has been read, before it is answered (barriers in tests). */
  beforePartAnswer?(info: { uploadId: string; part: number }): Promise<void>;
  /** May return a changed copy of a part's received bytes (simulates corruption in transit). `attempt` counts from 1. */
  mutatePartBody?(info: { uploadId: string; part: number; attempt: number }, body: Buffer): Buffer;
  /** Answer 202 to the first N complete calls of every upload before really completing. */
  completeAccepts202?: number;
};

/** Shared state every route handler gets. */
export type CloudContext = {
  /** `http(s)://127.0.0.1[:PORT]` (default ports left out), known once the server listens. */
  baseUrl: string;
  /** The certificate (PEM) the server presents over TLS; its own outgoing fetches trust it. */
  readonly tlsCert?: string;
  readonly storage: Storage;
  readonly apps: ReadonlyMap<string, LocalCloudApp>;
  readonly hooks: LocalCloudHooks;
  /** Per-process HMAC key for presigned part URLs. */
  readonly signingKey: Buffer;
  readonly log?: (level: 'info' | 'error', message: string) => void;
  /** Small per-server mutable state front ends may keep (counters, locks), keyed by front end. */
  readonly state: Map<string, unknown>;
  /** Which loopback/private/link-local addresses user-given URLs may name (`--allow-private-fetch`); default none. */
  readonly allowPrivateFetch: PrivateFetchPolicy;
  /** Browser origins allowed to call (CORS); see origin-policy.ts. */
  readonly origins: OriginPolicy;
  /** The interface the server listens on (the Host check depends on it). */
  readonly boundHost: string;
  /** Expires abandoned multipart sessions and caps the disk they hold (session-gc.ts). */
  readonly sessionGc: SessionGc;
};

/** The default app of a fresh local cloud (22 characters like a real Filestack key). */
export const DEFAULT_LOCAL_APIKEY = 'FerryLocalCloudKey0001';

/**
 * What `/multipart/start` and `/multipart/upload` answer as `location_url`: the base URL over
 * plain HTTP (clients prepend https:// to a bare host, so only a full URL keeps them on http),
 * the bare `host[:port]` over TLS as the real service answers (Python and Go always prepend
 * https://; JS and Ferry use a full URL verbatim and prefix a bare one).
 */
export function locationUrlOf(ctx: Pick<CloudContext, 'baseUrl'>): string {
  return ctx.baseUrl.startsWith('https://') ? ctx.baseUrl.slice('https://'.length) : ctx.baseUrl;
}
