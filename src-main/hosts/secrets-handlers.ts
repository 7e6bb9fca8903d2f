import { FerryError } from '../../src-shared/errors.js';
import type { SecretsStatus } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import { SECRET_NAMES } from '../../src-shared/model/secrets.js';
import type { Logger } from '../engine/ports.js';
import { openSecrets, type OpenSecretsResult } from '../secrets/env-store.js';
import type { SecretStore } from '../secrets/secret-store.js';

type SecretsHandlers = Pick<Handlers, 'secrets:status' | 'secrets:set' | 'secrets:delete'>;
type Opener = () => Promise<OpenSecretsResult>;

/**
 * The secrets channels. The keychain is opened lazily, on the first call, because probing the
 * Secret Service can take seconds on a desktop without one and most launches never touch
 * secrets. A failed open is retried on the next call (the user may have unlocked the keyring).
 */
export function createSecretsHandlers(logger: Logger, open: Opener = () => openSecrets()): SecretsHandlers & { store(): Promise<SecretStore> } {
  let opening: Promise<OpenSecretsResult> | null = null;
  const opened = async (): Promise<OpenSecretsResult> => {
    opening ??= open();
    const result = await opening;
    if (!result.ok) opening = null;
    return result;
  };
  const store = async (): Promise<SecretStore> => {
    const result = await opened();
    if (!result.ok) throw new FerryError(result.error);
    return result.store;
  };
  return {
    store,
    'secrets:status': async (): Promise<SecretsStatus> => {
      const result = await opened();
      if (!result.ok) {
        logger.warn('keychain unavailable', { code: result.error.code, reason: result.error.details?.reason ?? null });
        const notSet = Object.fromEntries(SECRET_NAMES.map((n) => [n, 'not-set'])) as SecretsStatus['secrets'];
        return { backend: null, error: result.error, secrets: notSet };
      }
      return { backend: result.store.backend, error: result.keychainError, secrets: await result.store.status() };
    },
    'secrets:set': async (req) => {
      await (await store()).set(req.name, req.value);
      logger.info('secret stored', { name: req.name });
      return null;
    },
    'secrets:delete': async (req) => {
      await (await store()).delete(req.name);
      logger.info('secret deleted', { name: req.name });
      return null;
    },
  };
}
