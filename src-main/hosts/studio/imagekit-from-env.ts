/**
 * The ImageKit client the studio uses, from the same FERRY_IMAGEKIT_* variables that create the
 * `imagekit` destination (providers/imagekit/from-env.ts), so both talk to the same account.
 */
import { createImageKitClient, type ImageKitClient } from '../../providers/imagekit/client.js';
import { IMAGEKIT_ENV } from '../../providers/imagekit/from-env.js';
import { SECRET_ENV_VARS } from '../../secrets/env-store.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A getter that builds the client on first use and again when the variables change; null when unset. */
export function imagekitClientFromEnv(env: Env = process.env): () => ImageKitClient | null {
  let cached: { key: string; client: ImageKitClient } | null = null;
  return () => {
    const privateKey = env[SECRET_ENV_VARS['imagekit.privateKey']]?.trim();
    const urlEndpoint = env[IMAGEKIT_ENV.urlEndpoint]?.trim();
    if (!privateKey || !urlEndpoint) return null;
    const uploadBase = env[IMAGEKIT_ENV.uploadBase]?.trim() || undefined;
    const apiBase = env[IMAGEKIT_ENV.apiBase]?.trim() || undefined;
    const key = [privateKey, urlEndpoint, uploadBase, apiBase].join('\n');
    if (cached?.key !== key) {
      const client = createImageKitClient({ privateKey, urlEndpoint, ...(uploadBase ? { uploadBase } : {}), ...(apiBase ? { apiBase } : {}) });
      cached = { key, client };
    }
    return cached.client;
  };
}
