import { randomBytes } from 'node:crypto';
import type * as KeyringModule from '@napi-rs/keyring';
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { FerryError, toAppError, type AppError } from '../../src-shared/errors.js';
import type { Logger } from '../engine/ports.js';
import { keychainUnavailable, type KeychainUnavailableReason } from './keychain-error.js';
import { checkSecretService } from './secret-service-probe.js';
import {
  assertSecretName,
  assertSecretValue,
  collectStatus,
  type SecretBackend,
  type SecretName,
  type SecretStore,
} from './secret-store.js';

/**
 * SecretStore on the OS keychain via @napi-rs/keyring: macOS Keychain, Windows Credential
 * Manager, or the freedesktop Secret Service on Linux. On Linux every entry is pinned to the
 * `secret-service` store, because the library's default silently falls back to the kernel
 * keyring (not persistent, not what the user thinks "keychain" means).
 */

/** Keychain service name under which every Ferry secret is stored (account = SecretName). */
export const KEYCHAIN_SERVICE = 'io.ferry.app';

export type OpenSecretStoreOptions = {
  /** Budget for detection and the probe, ms. Default 4000, so the answer comes within 5 s even on a busy machine. */
  readonly timeoutMs?: number;
  /** Budget for each get/set/delete once open, ms. Default 5000. */
  readonly operationTimeoutMs?: number;
  /** Keychain service name; tests may isolate themselves with another one. */
  readonly service?: string;
  /**
   * Linux: a locked default keyring normally fails fast with reason `locked`. Set this (with a
   * longer timeout) from an explicit "Unlock keychain" action to let the keyring show its prompt.
   */
  readonly allowUnlockPrompt?: boolean;
  /** Receives backend choice and failure reasons only, never values. */
  readonly logger?: Logger;
};

export type OpenSecretStoreResult = { readonly ok: true; readonly store: SecretStore } | { readonly ok: false; readonly error: AppError };

type Keyring = typeof KeyringModule;

const TIMED_OUT = Symbol('timed-out');

/** Runs `op` with an AbortSignal; resolves TIMED_OUT after `ms` even if the native call never settles. */
async function withTimeout<T>(ms: number, op: (signal: AbortSignal) => Promise<T>): Promise<T | typeof TIMED_OUT> {
  if (ms <= 0) return TIMED_OUT;
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve(TIMED_OUT);
    }, ms);
  });
  try {
    return await Promise.race([op(ac.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

class KeyringSecretStore implements SecretStore {
  private readonly entries = new Map<string, AsyncEntry>();

  constructor(
    readonly backend: SecretBackend,
    private readonly keyring: Keyring,
    private readonly service: string,
    private readonly entryOptions: EntryOptions | undefined,
    private readonly opTimeoutMs: number,
  ) {}

  /** One entry per account, created lazily: the constructor itself talks to the keychain. */
  entry(account: string): AsyncEntry {
    let e = this.entries.get(account);
    if (!e) {
      e = new this.keyring.AsyncEntry(this.service, account, this.entryOptions);
      this.entries.set(account, e);
    }
    return e;
  }

  /** Runs one keychain call; every failure becomes `keychain_unavailable` (never a raw library error). */
  async call<T>(account: string, op: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    let result: T | typeof TIMED_OUT;
    try {
      result = await withTimeout(this.opTimeoutMs, (signal) => op(this.entry(account), signal));
    } catch (thrown) {
      throw new FerryError(keychainUnavailable('operation-failed', messageOf(thrown)));
    }
    if (result === TIMED_OUT) throw new FerryError(keychainUnavailable('timeout'));
    return result;
  }

  async get(name: SecretName): Promise<string | null> {
    assertSecretName(name);
    return this.call(name, (e, signal) => e.getPassword(signal));
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertSecretName(name);
    assertSecretValue(value);
    await this.call(name, (e, signal) => e.setPassword(value, signal));
  }

  async delete(name: SecretName): Promise<void> {
    assertSecretName(name);
    await this.call(name, (e, signal) => e.deleteCredential(signal));
  }

  status(): Promise<Record<SecretName, 'set' | 'not-set'>> {
    return collectStatus(async (name) => (await this.get(name)) !== null);
  }
}

/**
 * Write, read back and delete a throwaway entry. On Linux this is the only reliable proof that
 * the default collection is unlocked and writable; elsewhere a read is enough and never prompts.
 */
async function probe(store: KeyringSecretStore, writable: boolean, budgetMs: number): Promise<void> {
  const account = `__ferry_probe__${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  const deadline = Date.now() + budgetMs;
  const step = async <T>(op: (e: AsyncEntry, s: AbortSignal) => Promise<T>): Promise<T> => {
    const r = await withTimeout(deadline - Date.now(), (s) => op(store.entry(account), s));
    if (r === TIMED_OUT) throw new FerryError(keychainUnavailable('timeout'));
    return r;
  };
  if (!writable) {
    await step((e, s) => e.getPassword(s));
    return;
  }
  await step((e, s) => e.setPassword(value, s));
  const back = await step((e, s) => e.getPassword(s));
  await step((e, s) => e.deleteCredential(s));
  if (back !== value) throw new FerryError(keychainUnavailable('probe-failed', 'read-back mismatch'));
}

function backendFor(platform: NodeJS.Platform): SecretBackend | null {
  if (platform === 'darwin') return 'keychain';
  if (platform === 'win32') return 'credential-manager';
  if (platform === 'linux') return 'secret-service';
  return null;
}

/**
 * Opens the OS keychain, or explains why not. Resolves (never rejects, never hangs) within the
 * budget: `{ ok: false, error }` carries `keychain_unavailable` with a prompt for the user and
 * `details.reason` (see KeychainUnavailableReason). There is no plaintext fallback.
 */
export async function openSecretStore(opts: OpenSecretStoreOptions = {}): Promise<OpenSecretStoreResult> {
  const budget = opts.timeoutMs ?? 4000;
  const deadline = Date.now() + budget;
  const fail = (reason: KeychainUnavailableReason, cause?: string): OpenSecretStoreResult => {
    opts.logger?.warn('secrets: keychain unavailable', { reason, ...(cause ? { cause } : {}) });
    return { ok: false, error: keychainUnavailable(reason, cause) };
  };

  const backend = backendFor(process.platform);
  if (!backend) return fail('unsupported-platform', process.platform);

  if (backend === 'secret-service') {
    const check = await checkSecretService(deadline);
    if (!check.ok) return fail(check.reason, check.cause);
    if (check.locked === true && !opts.allowUnlockPrompt) return fail('locked');
  }

  let keyring: Keyring;
  try {
    keyring = await import('@napi-rs/keyring');
  } catch (thrown) {
    return fail('unsupported-platform', messageOf(thrown));
  }

  const entryOptions: EntryOptions | undefined = backend === 'secret-service' ? { linux: { store: 'secret-service' } } : undefined;
  const store = new KeyringSecretStore(backend, keyring, opts.service ?? KEYCHAIN_SERVICE, entryOptions, opts.operationTimeoutMs ?? 5000);
  try {
    await probe(store, backend === 'secret-service', deadline - Date.now());
  } catch (thrown) {
    const err = toAppError(thrown);
    if (err.code === 'keychain_unavailable') {
      const cause = err.details?.cause;
      return fail((err.details?.reason as KeychainUnavailableReason) ?? 'probe-failed', typeof cause === 'string' ? cause : undefined);
    }
    return fail('probe-failed', err.message);
  }
  opts.logger?.info('secrets: keychain opened', { backend });
  return { ok: true, store };
}
