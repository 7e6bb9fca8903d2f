/**
 * Builds the ImageKit provider from FERRY_IMAGEKIT_* environment variables (headless set-ups and
 * tests). The key names match secrets/env-store.ts; the endpoint and bases are not secrets.
 */
import type { Provider } from '../../engine/ports.js';
import { SECRET_ENV_VARS } from '../../secrets/env-store.js';
import { createImageKitProvider, type ImageKitProviderOptions } from './provider.js';

/** Non-secret settings read alongside the keys. */
export const IMAGEKIT_ENV = {
  urlEndpoint: 'FERRY_IMAGEKIT_URL_ENDPOINT',
  uploadBase: 'FERRY_IMAGEKIT_UPLOAD_BASE',
  apiBase: 'FERRY_IMAGEKIT_API_BASE',
  folder: 'FERRY_IMAGEKIT_FOLDER',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

const val = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
};

/**
 * The account settings when both FERRY_IMAGEKIT_PRIVATE_KEY and FERRY_IMAGEKIT_URL_ENDPOINT are
 * set, else null. The one reader of these variables: the provider, the studio's client and the
 * library's target are all built from it.
 */
export function imagekitConfigFromEnv(env: Env = process.env): ImageKitProviderOptions | null {
  const privateKey = val(env, SECRET_ENV_VARS['imagekit.privateKey']);
  const urlEndpoint = val(env, IMAGEKIT_ENV.urlEndpoint);
  if (privateKey === undefined || urlEndpoint === undefined) return null;
  const publicKey = val(env, SECRET_ENV_VARS['imagekit.publicKey']);
  const uploadBase = val(env, IMAGEKIT_ENV.uploadBase);
  const apiBase = val(env, IMAGEKIT_ENV.apiBase);
  const folder = val(env, IMAGEKIT_ENV.folder);
  return {
    privateKey,
    urlEndpoint,
    ...(publicKey !== undefined ? { publicKey } : {}),
    ...(uploadBase !== undefined ? { uploadBase } : {}),
    ...(apiBase !== undefined ? { apiBase } : {}),
    ...(folder !== undefined ? { folder } : {}),
  };
}

/**
 * The provider when the environment configures ImageKit, else null (the app then simply has no
 * `imagekit` destination). An invalid endpoint throws bad_request.
 */
export function imagekitProviderFromEnv(env: Env = process.env): Provider | null {
  const config = imagekitConfigFromEnv(env);
  return config ? createImageKitProvider(config) : null;
}

/**
 * For the composition root: `{ imagekit }` when the environment configures it, `{}` otherwise.
 * A bad configuration is logged, never a startup failure (the other destinations still work).
 */
export function imagekitProvidersFromEnv(
  logger: { warn(message: string, fields?: Record<string, unknown>): void },
  env: Env = process.env,
): { imagekit?: Provider } {
  try {
    const provider = imagekitProviderFromEnv(env);
    return provider ? { imagekit: provider } : {};
  } catch (thrown) {
    logger.warn('ImageKit destination disabled: bad FERRY_IMAGEKIT_* configuration', { message: thrown instanceof Error ? thrown.message : String(thrown) });
    return {};
  }
}
