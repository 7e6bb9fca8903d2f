import { appError, FerryError } from '../../src-shared/errors.js';

/**
 * The SecretStore port. Secret values live only in the main process: they never go to logs,
 * settings files, error details or the renderer. The renderer only ever sees `status()`.
 */

import { MAX_SECRET_LENGTH, SECRET_NAMES, type SecretName } from '../../src-shared/model/secrets.js';

export { MAX_SECRET_LENGTH, SECRET_NAMES, type SecretName };

/**
 * Where the secrets actually live. `environment` is read-only (headless use); there is no
 * plaintext-file or kernel-keyring backend on purpose (reliability matrix row 19).
 */
export type SecretBackend = 'secret-service' | 'keychain' | 'credential-manager' | 'environment';

/** What the renderer may learn about a secret: whether it is there, never its value. */
export type SecretStatus = 'set' | 'not-set';

/** The port the engine and hosts depend on. Failures are FerryError (`keychain_unavailable`, `unsupported`, `bad_request`). */
export interface SecretStore {
  readonly backend: SecretBackend;
  /** The value, or null when it is not stored. */
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  /** Removing a secret that is not stored is not an error. */
  delete(name: SecretName): Promise<void>;
  status(): Promise<Record<SecretName, SecretStatus>>;
}

/** Longest secret we accept; API keys and private keys are far shorter, this only bounds abuse. */

/** Narrowing guard for names that crossed a boundary. */
export function isSecretName(value: unknown): value is SecretName {
  return typeof value === 'string' && (SECRET_NAMES as readonly string[]).includes(value);
}

/** Throws `bad_request` unless `name` is one of SECRET_NAMES (callers may pass unchecked input). */
export function assertSecretName(name: unknown): asserts name is SecretName {
  if (!isSecretName(name)) {
    // The bad name is not echoed: it might be a secret pasted into the wrong field.
    throw new FerryError(appError('bad_request', 'Unknown secret name.'));
  }
}

/** Throws `bad_request` for values that cannot be a secret (empty, too long, not a string). */
export function assertSecretValue(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FerryError(appError('bad_request', 'A secret must be a non-empty string; use delete to remove it.'));
  }
  if (value.length > MAX_SECRET_LENGTH) {
    throw new FerryError(
      appError('bad_request', `A secret may be at most ${MAX_SECRET_LENGTH} characters long.`, {
        details: { length: value.length },
      }),
    );
  }
}

/** Builds a status record by asking `isSet` for every name, in order. */
export async function collectStatus(
  isSet: (name: SecretName) => Promise<boolean>,
): Promise<Record<SecretName, SecretStatus>> {
  const out = {} as Record<SecretName, SecretStatus>;
  // Sequential on purpose: keychain daemons serialise anyway, and a prompt must not appear N times.
  for (const name of SECRET_NAMES) out[name] = (await isSet(name)) ? 'set' : 'not-set';
  return out;
}
