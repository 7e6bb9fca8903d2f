import { appError, FerryError, type AppError } from '../../src-shared/errors.js';
import { openSecretStore, type OpenSecretStoreOptions } from './keyring-store.js';
import { assertSecretName, collectStatus, SECRET_NAMES, type SecretName, type SecretStore } from './secret-store.js';

/**
 * Secrets from environment variables, for headless use (CI, servers, the CLI) where no keychain
 * exists. The user put them there explicitly; Ferry only reads them and never writes them anywhere.
 */

/** The environment variable that supplies each secret. */
export const SECRET_ENV_VARS: Readonly<Record<SecretName, string>> = {
  'filestack.apikey': 'FERRY_FILESTACK_APIKEY',
  'filestack.secret': 'FERRY_FILESTACK_SECRET',
  'imagekit.privateKey': 'FERRY_IMAGEKIT_PRIVATE_KEY',
  'imagekit.publicKey': 'FERRY_IMAGEKIT_PUBLIC_KEY',
  'webhook.filestack': 'FERRY_FILESTACK_WEBHOOK_SECRET',
  'webhook.imagekit': 'FERRY_IMAGEKIT_WEBHOOK_SECRET',
};

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `name` in `env`, or null when unset or empty (an empty variable means "not set"). */
function envValue(env: Env, name: SecretName): string | null {
  const v = env[SECRET_ENV_VARS[name]];
  return v === undefined || v === '' ? null : v;
}

/** True when at least one Ferry secret is supplied by `env`. */
export function hasEnvSecrets(env: Env = process.env): boolean {
  return SECRET_NAMES.some((n) => envValue(env, n) !== null);
}

/** Read-only SecretStore over `env` (read live, so tests may pass their own object). */
export function createEnvSecretStore(env: Env = process.env): SecretStore {
  const readOnly = (name: SecretName): never => {
    throw new FerryError(
      appError('unsupported', `Secrets come from environment variables here and are read-only; change ${SECRET_ENV_VARS[name]} in the environment instead.`, {
        retryable: false,
        details: { variable: SECRET_ENV_VARS[name] },
      }),
    );
  };
  return {
    backend: 'environment',
    // async throughout: a bad name must reject, never throw synchronously.
    async get(name) {
      assertSecretName(name);
      return envValue(env, name);
    },
    async set(name) {
      assertSecretName(name);
      readOnly(name);
    },
    async delete(name) {
      assertSecretName(name);
      readOnly(name);
    },
    status() {
      return collectStatus((name) => Promise.resolve(envValue(env, name) !== null));
    },
  };
}

/**
 * `store`, except that a secret present in `env` wins on read. Writes still go to `store`: a value
 * saved while an environment variable overrides it takes effect once the variable is unset.
 */
export function withEnvOverrides(store: SecretStore, env: Env = process.env): SecretStore {
  return {
    backend: store.backend,
    async get(name) {
      assertSecretName(name);
      return envValue(env, name) ?? store.get(name);
    },
    set: async (name, value) => store.set(name, value),
    delete: async (name) => store.delete(name),
    async status() {
      const base = await store.status();
      for (const name of SECRET_NAMES) if (envValue(env, name) !== null) base[name] = 'set';
      return base;
    },
  };
}

export type OpenSecretsResult =
  | { readonly ok: true; readonly store: SecretStore; readonly keychainError: AppError | null }
  | { readonly ok: false; readonly error: AppError };

/**
 * What a composition root wants: the keychain with environment overrides; else, when the
 * keychain is unavailable but the environment supplies secrets, the read-only environment store
 * (with the keychain error kept, so the UI can still explain why saving keys is impossible);
 * else the `keychain_unavailable` error. Never a plaintext store.
 */
export async function openSecrets(opts: OpenSecretStoreOptions & { readonly env?: Env } = {}): Promise<OpenSecretsResult> {
  const env = opts.env ?? process.env;
  const opened = await openSecretStore(opts);
  if (opened.ok) return { ok: true, store: withEnvOverrides(opened.store, env), keychainError: null };
  if (hasEnvSecrets(env)) return { ok: true, store: createEnvSecretStore(env), keychainError: opened.error };
  return { ok: false, error: opened.error };
}
