import type { DestinationKind } from '../../../src-shared/model/job.js';
import { createImageKitClient, type ImageKitClient } from '../../providers/imagekit/client.js';
import { imagekitConfigFromEnv } from '../../providers/imagekit/from-env.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { FILESTACK_DEFAULTS } from '../destinations.js';

/** A Filestack-protocol destination (real Filestack or the local cloud). `secret` signs links. */
export type FilestackTarget = {
  readonly kind: 'filestack';
  readonly apikey: string;
  readonly cdnBase: string;
  readonly fileApiBase: string;
  readonly secret: string | null;
};

/** An ImageKit account; the client holds the private key and signs delivery URLs. */
export type ImageKitTarget = { readonly kind: 'imagekit'; readonly client: ImageKitClient; readonly urlEndpoint: string };

/** How the library reaches the service behind one destination. */
export type LibraryTarget = FilestackTarget | ImageKitTarget;

/** The target of a destination, or null when it is not configured (no key). */
export type TargetResolver = (destination: DestinationKind) => Promise<LibraryTarget | null>;

type Env = Readonly<Record<string, string | undefined>>;

/** The ImageKit target from the same FERRY_IMAGEKIT_* variables the upload provider uses, or null. */
export function imagekitTargetFromEnv(env: Env = process.env): ImageKitTarget | null {
  const config = imagekitConfigFromEnv(env);
  return config ? { kind: 'imagekit', client: createImageKitClient(config), urlEndpoint: config.urlEndpoint } : null;
}

/** Real Filestack from the secret store (apikey required, secret optional), or null. */
export async function filestackTargetFromSecrets(store: () => Promise<SecretStore>): Promise<FilestackTarget | null> {
  const secrets = await store();
  const apikey = await secrets.get('filestack.apikey');
  if (!apikey) return null;
  return { kind: 'filestack', apikey, cdnBase: FILESTACK_DEFAULTS.cdnBase, fileApiBase: FILESTACK_DEFAULTS.apiBase, secret: await secrets.get('filestack.secret') };
}

/**
 * The composition root's resolver: the local cloud (with its per-install secret), then the
 * accounts the destinations were built from (`filestack` / `imagekit` getters, so library,
 * studio and uploads reach one account), else real Filestack through the secret store and
 * ImageKit through the environment. Lookups happen per call, so keys set in Settings apply
 * without a restart.
 */
export function createTargetResolver(opts: {
  readonly local: FilestackTarget;
  readonly secrets?: () => Promise<SecretStore>;
  readonly filestack?: () => FilestackTarget | null;
  readonly imagekit?: () => ImageKitTarget | null;
  readonly env?: Env;
}): TargetResolver {
  return async (destination) => {
    if (destination === 'local') return opts.local;
    if (destination === 'imagekit') return opts.imagekit?.() ?? imagekitTargetFromEnv(opts.env ?? process.env);
    const live = opts.filestack?.() ?? null;
    if (live) return live;
    return opts.secrets ? filestackTargetFromSecrets(opts.secrets) : null;
  };
}
