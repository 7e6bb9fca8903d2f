/**
 * Real Filestack and ImageKit destinations built from the keychain. `local` (the embedded cloud)
 * is always there; `filestack` appears once `filestack.apikey` is stored, `imagekit` once
 * `imagekit.privateKey` is stored and an URL endpoint is set. Both are rebuilt whenever secrets
 * or settings change, and handed to the engine with `setProvider`.
 */
import { toAppError } from '../../src-shared/errors.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import type { DestinationKind } from '../../src-shared/model/job.js';
import type { Logger, Provider } from '../engine/ports.js';
import type { SettingsStore } from '../engine/settings-store.js';
import type { RateLimiter } from '../net/throttle.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../providers/filestack/provider.js';
import { createSecurity } from '../protocol/filestack/signing.js';
import type { StoreOptions } from '../protocol/filestack/store-params.js';
import type { TransferSettings } from '../../src-shared/model/transfer-settings.js';
import { IMAGEKIT_ENV } from '../providers/imagekit/from-env.js';
import { createImageKitClient, type ImageKitClient } from '../providers/imagekit/client.js';
import { createImageKitProvider } from '../providers/imagekit/provider.js';
import type { ImageKitConfig } from '../providers/imagekit/transport.js';
import type { SecretStore } from '../secrets/secret-store.js';

/** Env vars that point the `filestack` destination somewhere else (tests: the local cloud). */
export const FILESTACK_ENV = {
  uploadBase: 'FERRY_FILESTACK_UPLOAD_BASE',
  cdnBase: 'FERRY_FILESTACK_CDN_BASE',
  apiBase: 'FERRY_FILESTACK_API_BASE',
} as const;

/** The real service's hosts (spec §1). */
export const FILESTACK_DEFAULTS = {
  uploadBase: 'https://upload.filestackapi.com',
  cdnBase: 'https://cdn.filestackcontent.com',
  apiBase: 'https://www.filestackapi.com/api/file',
} as const;

/**
 * How long a per-upload policy lives: an hour, plus time for a slow link (1 s per 64 KiB), at
 * most a day. An engine retry builds a fresh one, so expiry only matters within one attempt.
 */
export function policyTtlSeconds(size: number): number {
  return Math.min(86_400, 3_600 + Math.ceil(size / 65_536));
}

/** Whether a destination can take uploads now, and if not, what the user should do. */
export type DestinationStatus = { readonly kind: DestinationKind; readonly configured: boolean; readonly reason: string | null };

type Env = Readonly<Record<string, string | undefined>>;
type Keyed = 'filestack' | 'imagekit';

export type DestinationsOptions = {
  /** The secret store (may throw `keychain_unavailable`; then only pinned and local destinations exist). */
  readonly secrets: () => Promise<SecretStore>;
  readonly settings: SettingsStore;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
  /** Receives every change; compose.ts passes engine.setProvider. */
  readonly apply: (kind: Keyed, provider: Provider | null) => void;
  /** Destinations given by the caller (CLI, FERRY_IMAGEKIT_* env): never replaced from the keychain. */
  readonly pinned?: ReadonlySet<DestinationKind>;
  readonly env?: Env;
  /** Unix seconds, for policy expiry (tests). */
  readonly now?: () => number;
};

/** How to reach the `filestack` destination's account beyond uploads (library, studio, media). */
export type FilestackAccess = {
  readonly apikey: string;
  readonly secret: string | null;
  readonly cdnBase: string;
  readonly fileApiBase: string;
};

/** The live set of keychain-built destinations. */
export type Destinations = {
  /** Re-reads secrets and settings and rebuilds the providers; calls are serialised. */
  refresh(): Promise<void>;
  list(): DestinationStatus[];
  isConfigured(kind: DestinationKind): boolean;
  /** The default destination setting when it is configured, else `local`. */
  effectiveDefault(): DestinationKind;
  /** The keychain-configured Filestack account, or null (not set, or pinned by the caller). */
  filestackAccess(): FilestackAccess | null;
  /** A client for the keychain-configured ImageKit account, or null. */
  imagekitClient(): ImageKitClient | null;
  close(): void;
};

const val = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

/** Builds the destination set; call `refresh()` once to read the keychain (compose does it in the background). */
export function createDestinations(opts: DestinationsOptions): Destinations {
  const env = opts.env ?? process.env;
  const pinned = opts.pinned ?? new Set<DestinationKind>();
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const status = new Map<Keyed, DestinationStatus>([
    ['filestack', { kind: 'filestack', configured: pinned.has('filestack'), reason: pinned.has('filestack') ? null : 'Checking the keychain…' }],
    ['imagekit', { kind: 'imagekit', configured: pinned.has('imagekit'), reason: pinned.has('imagekit') ? null : 'Checking the keychain…' }],
  ]);
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  // Built with the providers, from the same keys and bases, so every feature reaches one account.
  let filestackAccess: FilestackAccess | null = null;
  let imagekitClient: ImageKitClient | null = null;
  let lastEndpoint = opts.settings.get().imagekitUrlEndpoint;

  const set = (kind: Keyed, provider: Provider | null, reason: string | null): void => {
    if (closed || pinned.has(kind)) return;
    opts.apply(kind, provider);
    status.set(kind, { kind, configured: provider !== null, reason: provider ? null : reason });
  };

  const rebuild = async (): Promise<void> => {
    let store: SecretStore;
    try {
      store = await opts.secrets();
    } catch (thrown) {
      const reason = `The keychain is not available: ${toAppError(thrown).message}`;
      filestackAccess = null;
      imagekitClient = null;
      set('filestack', null, reason);
      set('imagekit', null, reason);
      return;
    }
    const settings = opts.settings.get();
    const [apikey, secret, privateKey, publicKey] = await Promise.all([
      store.get('filestack.apikey'),
      store.get('filestack.secret'),
      store.get('imagekit.privateKey'),
      store.get('imagekit.publicKey'),
    ]);
    filestackAccess = apikey === null || pinned.has('filestack') ? null : { apikey, secret, ...filestackBases(env) };
    if (apikey === null) set('filestack', null, 'Store a Filestack API key to enable this destination.');
    else set('filestack', filestackProvider({ apikey, secret, settings: opts.settings, limiter: opts.limiter, env, now }), null);
    const endpoint = settings.imagekitUrlEndpoint || val(env, IMAGEKIT_ENV.urlEndpoint);
    imagekitClient = null;
    if (privateKey === null) set('imagekit', null, 'Store an ImageKit private key to enable this destination.');
    else if (endpoint === undefined) set('imagekit', null, 'Set the ImageKit URL endpoint to enable this destination.');
    else {
      try {
        const config = imagekitConfig({ privateKey, publicKey, urlEndpoint: endpoint, env });
        set('imagekit', createImageKitProvider(config), null);
        if (!pinned.has('imagekit')) imagekitClient = createImageKitClient(config);
      } catch (thrown) {
        set('imagekit', null, toAppError(thrown).message);
      }
    }
  };

  const refresh = (): Promise<void> => {
    // Serialised so an older keychain read can never overwrite a newer one.
    chain = chain.then(rebuild).catch((thrown: unknown) => opts.logger.error('destinations: rebuild failed', { error: String(thrown) }));
    return chain;
  };

  const unsubscribe = opts.settings.onChange((next) => {
    // Only the endpoint feeds a provider; concurrency and bandwidth are read live.
    if (next.imagekitUrlEndpoint === lastEndpoint) return;
    lastEndpoint = next.imagekitUrlEndpoint;
    void refresh();
  });

  const isConfigured = (kind: DestinationKind): boolean => kind === 'local' || status.get(kind as Keyed)?.configured === true;
  return {
    refresh,
    list: () => [{ kind: 'local', configured: true, reason: null }, ...status.values()],
    isConfigured,
    effectiveDefault() {
      const wanted = opts.settings.get().defaultDestination;
      return isConfigured(wanted) ? wanted : 'local';
    },
    filestackAccess: () => filestackAccess,
    imagekitClient: () => imagekitClient,
    close() {
      closed = true;
      unsubscribe();
    },
  };
}

/** The store object the `filestack` destination sends, from Settings. */
export function storeOf(settings: TransferSettings): StoreOptions {
  return {
    location: settings.filestackLocation,
    ...(settings.filestackStorePath !== '' ? { path: settings.filestackStorePath } : {}),
    ...(settings.filestackContainer !== '' ? { container: settings.filestackContainer } : {}),
  };
}

type FilestackInputs = {
  apikey: string;
  secret: string | null;
  settings: SettingsStore;
  limiter: RateLimiter;
  env: Env;
  now: () => number;
};

/** The `filestack` provider; with an app secret, every upload attempt signs its own short policy. */
export function filestackProvider(inp: FilestackInputs): Provider {
  const base = (): FilestackProviderOptions => ({
    kind: 'filestack',
    apikey: inp.apikey,
    uploadBase: val(inp.env, FILESTACK_ENV.uploadBase) ?? FILESTACK_DEFAULTS.uploadBase,
    ...filestackBases(inp.env),
    // Read per attempt, so a settings change applies to the next file that starts.
    partConcurrency: inp.settings.get().partConcurrency,
    limiter: inp.limiter,
    store: storeOf(inp.settings.get()),
  });
  const { secret } = inp;
  if (secret === null) {
    return { kind: 'filestack', upload: (source, ctx) => createFilestackProvider(base()).upload(source, ctx) };
  }
  return {
    kind: 'filestack',
    upload(source, ctx) {
      // pick+store to upload, read+stat for the md5 verification that follows.
      const security = createSecurity({ expiry: inp.now() + policyTtlSeconds(source.size), call: ['pick', 'store', 'read', 'stat'] }, secret);
      return createFilestackProvider({ ...base(), security }).upload(source, ctx);
    },
  };
}

/** CDN and File API origins of the `filestack` destination (FERRY_FILESTACK_* point them elsewhere). */
function filestackBases(env: Env): { cdnBase: string; fileApiBase: string } {
  return { cdnBase: val(env, FILESTACK_ENV.cdnBase) ?? FILESTACK_DEFAULTS.cdnBase, fileApiBase: val(env, FILESTACK_ENV.apiBase) ?? FILESTACK_DEFAULTS.apiBase };
}

/** One ImageKit account's settings, shared by the upload provider and the client of the other features. */
function imagekitConfig(inp: { privateKey: string; publicKey: string | null; urlEndpoint: string; env: Env }): ImageKitConfig {
  const uploadBase = val(inp.env, IMAGEKIT_ENV.uploadBase);
  const apiBase = val(inp.env, IMAGEKIT_ENV.apiBase);
  return {
    privateKey: inp.privateKey,
    urlEndpoint: inp.urlEndpoint,
    ...(inp.publicKey !== null ? { publicKey: inp.publicKey } : {}),
    ...(uploadBase !== undefined ? { uploadBase } : {}),
    ...(apiBase !== undefined ? { apiBase } : {}),
  };
}

type SecretsWriters = Pick<Handlers, 'secrets:set' | 'secrets:delete'>;

/**
 * `destinations:list`, plus the secrets writers wrapped so that a stored or removed key rebuilds
 * the destinations before the reply (the UI re-reads the list right after saving).
 */
export function createDestinationHandlers(destinations: Destinations, secrets: SecretsWriters): Pick<Handlers, 'destinations:list'> & SecretsWriters {
  return {
    'destinations:list': () => ({ destinations: destinations.list(), defaultDestination: destinations.effectiveDefault() }),
    'secrets:set': async (req) => {
      const out = await secrets['secrets:set'](req);
      await destinations.refresh();
      return out;
    },
    'secrets:delete': async (req) => {
      const out = await secrets['secrets:delete'](req);
      await destinations.refresh();
      return out;
    },
  };
}
