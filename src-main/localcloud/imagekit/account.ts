/**
 * ImageKit accounts the local cloud emulates. Each account has its own keys, URL endpoint path and
 * file index; the media API picks the account from the Basic-auth private key, delivery from the
 * endpoint path, client-side uploads from `publicKey`.
 */

/** One emulated ImageKit account. */
export type ImageKitAccount = {
  /** The account's id; the default URL endpoint path is `/ik/<imagekitId>`. [A-Za-z0-9_-]. */
  readonly imagekitId: string;
  /** Private API key: the Basic-auth username and the HMAC key for signatures. */
  readonly privateKey: string;
  /** Public key, sent only by client-side uploads (§3). */
  readonly publicKey: string;
  /** Delivery prefix path on the local cloud, e.g. `/ik/demo` (no trailing slash). */
  readonly urlEndpointPath?: string;
  /** Secret for `x-ik-signature` on upload webhooks; falls back to the private key. */
  readonly webhookSecret?: string;
};

/** Options of the ImageKit front end. */
export type ImageKitFrontEndOptions = {
  /** Accounts; default one account with the DEFAULT_IMAGEKIT_* keys. */
  readonly accounts?: readonly ImageKitAccount[];
  /** Largest upload in bytes (default 200 MiB; the real limits per plan are in §2.2). */
  readonly maxUploadBytes?: number;
  /** Header timeout when `file` is a URL, in ms (default 8000, the documented limit). */
  readonly urlFetchTimeoutMs?: number;
  /** Video facts and delivery (ffprobe at upload; ffmpeg for `tr`, thumbnails and HLS). */
  readonly video?: VideoOptions;
};

/** Binaries and bounds of the video work. */
export type VideoOptions = {
  /** Default `ffmpeg` / `ffprobe` from PATH. */
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  /** ffmpeg runs at once (default 1) and runs waiting for a turn (default 8; more answer 429). */
  readonly maxConcurrent?: number;
  readonly maxQueued?: number;
  /** Disk kept for transcodes, frames and HLS sets (default 1 GiB, least recently used go first). */
  readonly cacheBytes?: number;
};

/** Defaults so a fresh local cloud offers an ImageKit destination with no set-up. */
export const DEFAULT_IMAGEKIT_ID = 'ferry';
export const DEFAULT_IMAGEKIT_PRIVATE_KEY = 'private_FerryLocalCloudKey0001';
export const DEFAULT_IMAGEKIT_PUBLIC_KEY = 'public_FerryLocalCloudKey0001';

/** An account with its endpoint path resolved. */
export type ResolvedAccount = ImageKitAccount & { readonly urlEndpointPath: string };

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Applies defaults and checks ids/paths; throws on a configuration mistake. */
export function resolveAccounts(accounts: readonly ImageKitAccount[] | undefined): ResolvedAccount[] {
  const list =
    accounts && accounts.length > 0
      ? accounts
      : [{ imagekitId: DEFAULT_IMAGEKIT_ID, privateKey: DEFAULT_IMAGEKIT_PRIVATE_KEY, publicKey: DEFAULT_IMAGEKIT_PUBLIC_KEY }];
  const seen = new Set<string>();
  return list.map((a) => {
    if (!ID_RE.test(a.imagekitId)) throw new Error(`Invalid ImageKit id "${a.imagekitId}" (use letters, digits, _ and -).`);
    if (a.privateKey === '' || a.publicKey === '') throw new Error(`ImageKit account ${a.imagekitId} needs a private and a public key.`);
    const p = `/${(a.urlEndpointPath ?? `/ik/${a.imagekitId}`).replace(/^\/+|\/+$/g, '')}`;
    if (p === '/' || /^\/(api|v1)(\/|$)/.test(p)) throw new Error(`URL endpoint path ${p} would shadow the API routes.`);
    for (const k of [a.imagekitId, a.privateKey, a.publicKey, p]) {
      if (seen.has(k)) throw new Error(`Duplicate ImageKit account setting ${k}.`);
      seen.add(k);
    }
    return { ...a, urlEndpointPath: p };
  });
}
