import type { AppError } from '../../../src-shared/errors.js';
import type { SecretsStatus } from '../../../src-shared/ipc/channels.js';
import type { SecretName } from '../../../src-shared/model/secrets.js';
import type { Api } from '../api.js';

/**
 * Which keys are stored, and the actions that store or remove them. Values only ever travel
 * renderer → main (when the user types a key); the host answers with set / not set.
 */
export class SecretsManager {
  readonly #api: Api;
  #status = $state.raw<SecretsStatus | null>(null);
  #busy = $state<SecretName | null>(null);
  #lastError = $state.raw<AppError | null>(null);

  constructor(api: Api) {
    this.#api = api;
  }

  get status(): SecretsStatus | null {
    return this.#status;
  }
  /** The secret whose save/remove is in flight, if any. */
  get busy(): SecretName | null {
    return this.#busy;
  }
  get lastError(): AppError | null {
    return this.#lastError;
  }

  async load(): Promise<void> {
    const result = await this.#api.call('secrets:status', {});
    if (result.ok) this.#status = result.value;
    else this.#lastError = result.error;
  }

  /** Stores a value in the OS keychain; returns true on success. */
  async save(name: SecretName, value: string): Promise<boolean> {
    return this.#run(name, () => this.#api.call('secrets:set', { name, value }));
  }

  async remove(name: SecretName): Promise<boolean> {
    return this.#run(name, () => this.#api.call('secrets:delete', { name }));
  }

  async #run(name: SecretName, action: () => Promise<{ ok: boolean; error?: AppError }>): Promise<boolean> {
    this.#busy = name;
    this.#lastError = null;
    try {
      const result = await action();
      if (!result.ok) this.#lastError = result.error ?? null;
      await this.load();
      return result.ok;
    } finally {
      this.#busy = null;
    }
  }
}
