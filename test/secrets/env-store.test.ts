import { describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { createEnvSecretStore, hasEnvSecrets, SECRET_ENV_VARS, withEnvOverrides } from '../../src-main/secrets/env-store.js';
import { isSecretName, MAX_SECRET_LENGTH, SECRET_NAMES, type SecretName } from '../../src-main/secrets/secret-store.js';
import { cleanEnv, fixtureCommand, runFixture } from './keyring-harness.js';

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return toAppError(e).code;
  }
};

describe('environment secret store', () => {
  it('maps every secret name to a distinct FERRY_ variable', () => {
    const vars = SECRET_NAMES.map((n) => SECRET_ENV_VARS[n]);
    expect(new Set(vars).size).toBe(SECRET_NAMES.length);
    expect(vars.every((v) => /^FERRY_[A-Z_]+$/.test(v))).toBe(true);
    expect(SECRET_ENV_VARS['imagekit.privateKey']).toBe('FERRY_IMAGEKIT_PRIVATE_KEY');
  });

  it('reads values, treats empty variables as unset, reports status', async () => {
    const store = createEnvSecretStore({ FERRY_FILESTACK_APIKEY: 'Akey', FERRY_FILESTACK_SECRET: '' });
    expect(store.backend).toBe('environment');
    expect(await store.get('filestack.apikey')).toBe('Akey');
    expect(await store.get('filestack.secret')).toBeNull();
    expect(await store.status()).toEqual({
      'filestack.apikey': 'set',
      'filestack.secret': 'not-set',
      'imagekit.privateKey': 'not-set',
      'imagekit.publicKey': 'not-set',
      'webhook.filestack': 'not-set',
      'webhook.imagekit': 'not-set',
    });
  });

  it('is read-only: set and delete give a typed error naming the variable', async () => {
    const store = createEnvSecretStore({ FERRY_IMAGEKIT_PRIVATE_KEY: 'private_x' });
    expect(await codeOf(store.set('imagekit.privateKey', 'other'))).toBe('unsupported');
    expect(await codeOf(store.delete('imagekit.privateKey'))).toBe('unsupported');
    await store.set('imagekit.privateKey', 'other').catch((e: unknown) => {
      expect(toAppError(e).details).toEqual({ variable: 'FERRY_IMAGEKIT_PRIVATE_KEY' });
      expect(toAppError(e).message).not.toContain('private_x');
    });
    expect(await store.get('imagekit.privateKey')).toBe('private_x');
  });

  it('rejects names outside the closed list without echoing them', async () => {
    const store = createEnvSecretStore({ FERRY_FILESTACK_APIKEY: 'k' });
    expect(isSecretName('filestack.apikey')).toBe(true);
    expect(isSecretName('__proto__')).toBe(false);
    expect(await codeOf(store.get('PATH' as SecretName))).toBe('bad_request');
    const err = await store.get('sk_live_pasted' as SecretName).catch((e: unknown) => toAppError(e));
    expect(JSON.stringify(err)).not.toContain('sk_live_pasted');
  });

  it('withEnvOverrides: environment wins on read, writes go to the underlying store', async () => {
    const base = createEnvSecretStore({ FERRY_FILESTACK_APIKEY: 'from-base', FERRY_IMAGEKIT_PUBLIC_KEY: 'pub-base' });
    const layered = withEnvOverrides(base, { FERRY_FILESTACK_APIKEY: 'from-env', FERRY_FILESTACK_WEBHOOK_SECRET: 'wh' });
    expect(layered.backend).toBe('environment');
    expect(await layered.get('filestack.apikey')).toBe('from-env');
    expect(await layered.get('imagekit.publicKey')).toBe('pub-base');
    expect(await layered.get('imagekit.privateKey')).toBeNull();
    const status = await layered.status();
    expect(status['webhook.filestack']).toBe('set');
    expect(status['imagekit.publicKey']).toBe('set');
    expect(status['imagekit.privateKey']).toBe('not-set');
    // Writes reach the underlying (here read-only) store rather than being swallowed.
    expect(await codeOf(layered.set('filestack.apikey', 'x'))).toBe('unsupported');
  });

  it('hasEnvSecrets', () => {
    expect(hasEnvSecrets({})).toBe(false);
    expect(hasEnvSecrets({ FERRY_FILESTACK_APIKEY: '' })).toBe(false);
    expect(hasEnvSecrets({ FERRY_IMAGEKIT_WEBHOOK_SECRET: 'w' })).toBe(true);
  });

  it('MAX_SECRET_LENGTH bounds values', () => {
    expect(MAX_SECRET_LENGTH).toBeGreaterThanOrEqual(4096);
  });
});

// openSecrets reads the real process environment (D-Bus), so it runs in a child with a known one.
describe.runIf(process.platform === 'linux')('openSecrets without a keychain', () => {
  it('falls back to the read-only environment store and keeps the keychain error', async () => {
    const run = await runFixture(fixtureCommand('open-secrets'), cleanEnv({ FERRY_FILESTACK_APIKEY: 'env-key' }));
    expect(run.json).toMatchObject({
      ok: true,
      backend: 'environment',
      keychainError: 'keychain_unavailable',
      status: { 'filestack.apikey': 'set', 'filestack.secret': 'not-set' },
    });
    expect(run.stdout + run.stderr).not.toContain('env-key');
  });

  it('reports keychain_unavailable when neither the keychain nor the environment has secrets', async () => {
    const run = await runFixture(fixtureCommand('open-secrets'), cleanEnv());
    expect(run.json).toMatchObject({ ok: false, code: 'keychain_unavailable' });
  });
});
