import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { WITH_KEYRING, cleanEnv, runFixture } from '../secrets/keyring-harness.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'secrets-channels.ts');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function appWithoutBus(): Promise<FerryApp> {
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-secrets-'));
  const app = await createApp({ dataDir: dir, host: 'web' });
  cleanups.push(async () => {
    await app.close();
    if (saved !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    await rm(dir, { recursive: true, force: true });
  });
  return app;
}

describe('secrets channels', () => {
  it('report a missing keychain as a typed error and refuse to store (never plaintext)', async () => {
    const app = await appWithoutBus();
    const status = await dispatch(app.handlers, 'secrets:status', {});
    expect(status.ok).toBe(true);
    if (!status.ok) return;
    const value = status.value as { backend: string | null; error: { code: string } | null; secrets: Record<string, string> };
    expect(value.backend).toBeNull();
    expect(value.error?.code).toBe('keychain_unavailable');
    expect(Object.values(value.secrets).every((s) => s === 'not-set')).toBe(true);
    const set = await dispatch(app.handlers, 'secrets:set', { name: 'filestack.apikey', value: 'abc' });
    expect(set.ok).toBe(false);
    if (!set.ok) expect(set.error.code).toBe('keychain_unavailable');
  });

  it('store, report and delete through the real Secret Service without the value ever leaving main', async () => {
    const run = await runFixture([WITH_KEYRING, process.execPath, '--import', 'tsx', FIXTURE], cleanEnv(), 60_000);
    const out = run.json as Record<string, { ok: boolean; value?: { backend: string; secrets: Record<string, string> } }> & { leaks: string[]; replies: boolean };
    expect(out.before?.value?.backend).toBe('secret-service');
    expect(out.before?.value?.secrets['filestack.secret']).toBe('not-set');
    expect(out.set?.ok).toBe(true);
    expect(out.after?.value?.secrets['filestack.secret']).toBe('set');
    expect(out.del?.ok).toBe(true);
    expect(out.gone?.value?.secrets['filestack.secret']).toBe('not-set');
    expect(out.replies).toBe(false);
    expect(out.leaks).toEqual([]);
  });
});
