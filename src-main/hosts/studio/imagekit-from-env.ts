/**
 * The ImageKit client the studio falls back to, from the same FERRY_IMAGEKIT_* variables that
 * create the `imagekit` destination (providers/imagekit/from-env.ts), so both talk to one account.
 */
import { createImageKitClient, type ImageKitClient } from '../../providers/imagekit/client.js';
import { imagekitConfigFromEnv } from '../../providers/imagekit/from-env.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A getter that builds the client on first use and again when the variables change; null when unset. */
export function imagekitClientFromEnv(env: Env = process.env): () => ImageKitClient | null {
  let cached: { key: string; client: ImageKitClient } | null = null;
  return () => {
    const config = imagekitConfigFromEnv(env);
    if (!config) return null;
    const key = JSON.stringify(config);
    if (cached?.key !== key) cached = { key, client: createImageKitClient(config) };
    return cached.client;
  };
}
