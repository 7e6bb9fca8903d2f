/**
 * Delivery URLs (spec §4): the shared builder plus optional signing with the private key.
 * Signing follows v7: `signed: true` or any `expiresIn > 0` signs the URL.
 */
import { buildUrl, type BuildUrlOptions } from '../../../src-shared/imagekit/url-builder.js';
import { getAuthenticationParameters as authParams, type AuthenticationParameters } from '../../protocol/imagekit/auth-params.js';
import { signUrl } from '../../protocol/imagekit/signing.js';

export { pHashDistance, type PHashDistanceResult } from '../../../src-shared/imagekit/phash.js';

/** Options of the client's `url()`; `urlEndpoint` defaults to the client's. */
export type UrlOptions = Omit<BuildUrlOptions, 'urlEndpoint'> & {
  readonly urlEndpoint?: string;
  readonly signed?: boolean;
  /** Lifetime in seconds from `now`; > 0 implies `signed`. */
  readonly expiresIn?: number;
  /** Unix seconds (default: the clock); injected by tests for exact signatures. */
  readonly now?: number;
};

/**
 * Builds (and maybe signs) a delivery URL. Returns `''` for no path/src or a bad endpoint (the
 * builder's convention), and never signs an empty URL.
 */
export function buildDeliveryUrl(privateKey: string, defaultEndpoint: string, opts: UrlOptions): string {
  const urlEndpoint = opts.urlEndpoint ?? defaultEndpoint;
  const url = buildUrl({ ...opts, urlEndpoint });
  const expiresIn = opts.expiresIn ?? 0;
  if (url === '' || (opts.signed !== true && !(expiresIn > 0))) return url;
  return signUrl(url, { urlEndpoint, privateKey, expiresInSeconds: expiresIn, now: opts.now ?? Date.now() / 1000 });
}

/** Client-side upload auth parameters (§3) for `privateKey`; see auth-params.ts. */
export function getAuthenticationParameters(privateKey: string, token?: string, expire?: number): AuthenticationParameters {
  return authParams(privateKey, token, expire);
}
