import type { AppError } from '../../../src-shared/errors.js';
import type { DestinationsList } from '../../../src-shared/ipc/channels.js';
import type { LinkFormat } from '../../../src-shared/links.js';
import { DEFAULT_TRANSFER_SETTINGS } from '../../../src-shared/model/transfer-defaults.js';
import type { TransferSettings, TransferSettingsPatch } from '../../../src-shared/model/transfer-settings.js';
import type { Api } from '../api.js';

/** What the window uses before `settings:get` answers. */
const FALLBACK: TransferSettings = DEFAULT_TRANSFER_SETTINGS;

/**
 * Transfer settings and preferences (`settings:get` / `settings:set`) plus which destinations are
 * configured (`destinations:list`). The host validates every change; a refused one comes back in
 * `lastError` and the shown values stay the host's.
 */
export class SettingsManager {
  readonly #api: Api;
  #settings = $state.raw<TransferSettings | null>(null);
  #destinations = $state.raw<DestinationsList | null>(null);
  #saving = $state(false);
  #lastError = $state.raw<AppError | null>(null);

  constructor(api: Api) {
    this.#api = api;
  }

  /** The host's settings, or null until loaded. */
  get settings(): TransferSettings | null {
    return this.#settings;
  }
  get destinations(): DestinationsList | null {
    return this.#destinations;
  }
  get saving(): boolean {
    return this.#saving;
  }
  get lastError(): AppError | null {
    return this.#lastError;
  }
  /** The format Copy buttons write; `url` until settings load. */
  get linkFormat(): LinkFormat {
    return (this.#settings ?? FALLBACK).linkFormat;
  }
  get theme(): TransferSettings['theme'] {
    return (this.#settings ?? FALLBACK).theme;
  }

  async load(): Promise<void> {
    const [settings, destinations] = await Promise.all([this.#api.call('settings:get', {}), this.#api.call('destinations:list', {})]);
    if (settings.ok) this.#settings = settings.value;
    if (destinations.ok) this.#destinations = destinations.value;
    const failed = !settings.ok ? settings.error : !destinations.ok ? destinations.error : null;
    if (failed) this.#lastError = failed;
  }

  /** Re-reads which destinations are configured (after a key was stored or removed). */
  async loadDestinations(): Promise<void> {
    const result = await this.#api.call('destinations:list', {});
    if (result.ok) this.#destinations = result.value;
  }

  /** Sends a change; returns true when the host accepted it. */
  async save(patch: TransferSettingsPatch): Promise<boolean> {
    this.#saving = true;
    try {
      const result = await this.#api.call('settings:set', patch);
      if (!result.ok) {
        this.#lastError = result.error;
        return false;
      }
      this.#settings = result.value;
      this.#lastError = null;
      // The default destination and the ImageKit endpoint change what is configured.
      if ('defaultDestination' in patch || 'imagekitUrlEndpoint' in patch) await this.loadDestinations();
      return true;
    } finally {
      this.#saving = false;
    }
  }

  dismissError(): void {
    this.#lastError = null;
  }
}
