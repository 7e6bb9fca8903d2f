import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, filesContaining, fixtureCommand, runFixture, WITH_KEYRING, writeBusConfig } from './keyring-harness.js';

/**
 * The keychain against the REAL freedesktop Secret Service (gnome-keyring in a private D-Bus
 * session, via scripts/with-keyring.sh), and reliability-matrix row 19: no session bus, a bus
 * without a keyring, a locked keyring and a keyring that never answers must each give a typed
 * `keychain_unavailable` (a hang ended by Ferry's own time budget, reason `timeout`), and never
 * fall back to plaintext or the kernel keyring.
 */

const hasTool = (name: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// Linux only; on Linux the tools are required (CI installs gnome-keyring dbus dbus-x11 libsecret-tools libglib2.0-bin).
describe.runIf(process.platform === 'linux')('keyring store (real Secret Service)', () => {
  let root: string;
  const withKeyring = ['bash', WITH_KEYRING];

  beforeAll(async () => {
    for (const tool of ['dbus-run-session', 'dbus-send', 'gdbus', 'gnome-keyring-daemon', 'secret-tool']) {
      if (!hasTool(tool)) throw new Error(`${tool} missing: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools libglib2.0-bin`);
    }
    root = await mkdtemp(join(tmpdir(), 'ferry-secrets-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('round-trips secrets through gnome-keyring and nowhere else', async () => {
    const run = await runFixture(fixtureCommand('roundtrip', withKeyring), cleanEnv());
    const j = run.json;
    expect(j, run.stderr).toMatchObject({ ok: true, backend: 'secret-service' });
    expect(j.roundTrip).toBe(true); // unicode value survives
    expect(j.secretToolSees).toBe(true); // libsecret, a separate client, finds it in the Secret Service
    expect(j.overwritten).toBe(true);
    expect(j.viaSecretToolAfterOverwrite).toBe(true);
    expect(j.afterDelete).toBeNull();
    expect(j.secretToolAfterDelete).toBeNull();
    expect(j.kernelHits).toBe(0); // no kernel-keyring fallback
    expect(j.badName).toBe('bad_request');
    expect(j.maxRoundTrip).toBe(true); // MAX_SECRET_LENGTH characters fit
    expect(j.overMax).toBe('bad_request'); // one more is refused...
    expect(j.keptAfterOverMax).toBe(true); // ...and the stored value is untouched
    expect(j.before).toMatchObject({ 'filestack.apikey': 'not-set', 'imagekit.privateKey': 'not-set' });
    expect(j.during).toMatchObject({ 'filestack.apikey': 'set', 'filestack.secret': 'not-set' });
    expect(j.after).toMatchObject({ 'filestack.apikey': 'not-set' });
    expect(j.logs).toEqual([expect.stringContaining('"backend":"secret-service"')]);
  });

  it('keeps a stored secret out of every plaintext file, output and log, yet persists it encrypted', async () => {
    const home = join(root, 'scan-home');
    await mkdir(home);
    const secret = `ferry-scan-${randomBytes(8).toString('hex')}-ключ`;
    const env = cleanEnv({ FERRY_KEYRING_HOME: home, FERRY_SCAN_SECRET: secret });

    const stored = await runFixture(fixtureCommand('store-keep', withKeyring), env);
    expect(stored.json, stored.stderr).toMatchObject({ ok: true, stored: true });

    const keyringFile = join(home, '.local/share/keyrings/login.keyring');
    expect((await stat(keyringFile)).size).toBeGreaterThan(0);
    const { hits, scanned } = await filesContaining(home, secret);
    expect(scanned).toContain(keyringFile);
    expect(hits).toEqual([]);
    expect(stored.stdout + stored.stderr).not.toContain(secret);

    // A second session on the same HOME unlocks login.keyring from disk and finds the value,
    // so it was stored there, encrypted (the scan above found no plaintext copy).
    const reread = await runFixture(fixtureCommand('read-kept', withKeyring), env);
    expect(reread.json, reread.stderr).toMatchObject({ ok: true, matches: true, status: { 'imagekit.privateKey': 'set' } });
    expect(reread.stdout + reread.stderr).not.toContain(secret);

    // Control: the scanner does find the value when a file holds it in plaintext.
    const control = join(root, 'control');
    await mkdir(control);
    await writeFile(join(control, 'leak.txt'), `key=${secret}\n`);
    expect((await filesContaining(control, secret)).hits).toHaveLength(1);
  });

  describe('row 19: keychain unavailable gives a typed error, a hang ended by the budget', () => {
    const expectUnavailable = (j: Record<string, unknown>, reason: string): void => {
      expect(j).toMatchObject({ ok: false, code: 'keychain_unavailable', reason });
      expect(String(j.message)).toMatch(/environment variables/);
      // No wall-clock bound (a loaded machine would fail it): the reason says what ended the
      // wait. Only the hanging service may end by Ferry's own budget ('timeout'); the service
      // there sleeps 8 s and then dies, so without the budget its reason would differ.
    };

    it('no session bus', async () => {
      const run = await runFixture(fixtureCommand('open'), cleanEnv({ HOME: root }));
      expectUnavailable(run.json, 'no-session-bus');
      expect(String(run.json.message)).toMatch(/D-Bus session bus/);
    });

    it('a session bus address that does not answer', async () => {
      const env = cleanEnv({ HOME: root, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(root, 'no-such-bus')}` });
      const run = await runFixture(fixtureCommand('open'), env);
      expectUnavailable(run.json, 'no-session-bus');
    });

    it('a bus without any keyring service', async () => {
      const services = join(root, 'no-services');
      await mkdir(services, { recursive: true });
      const conf = join(root, 'bare-bus.conf');
      await writeBusConfig(conf, services);
      const run = await runFixture(fixtureCommand('open', ['dbus-run-session', `--config-file=${conf}`, '--']), cleanEnv({ HOME: root }));
      expectUnavailable(run.json, 'no-secret-service');
      expect(String(run.json.message)).toMatch(/gnome-keyring/);
    });

    it('a keyring activated on demand with no keyring file (no default collection)', async () => {
      const home = join(root, 'empty-home');
      await mkdir(join(home, '.local/share/keyrings'), { recursive: true });
      // HOME set for dbus-run-session itself: the activated gnome-keyring inherits the bus daemon's env.
      const env = cleanEnv({ HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_RUNTIME_DIR: home });
      const run = await runFixture(fixtureCommand('open', ['dbus-run-session', '--']), env);
      expectUnavailable(run.json, 'no-default-collection');
    });

    it('a locked keyring: fails fast without prompting, and with a prompt allowed still does not hang', async () => {
      const home = join(root, 'locked-home');
      await mkdir(home);
      const unlocked = await runFixture(fixtureCommand('store-keep', withKeyring), cleanEnv({ FERRY_KEYRING_HOME: home, FERRY_SCAN_SECRET: 'x' }));
      expect(unlocked.json).toMatchObject({ ok: true, stored: true });

      const lockedEnv = cleanEnv({ FERRY_KEYRING_HOME: home, FERRY_KEYRING_LOCKED: '1' });
      const locked = await runFixture(fixtureCommand('open', withKeyring), lockedEnv);
      expectUnavailable(locked.json, 'locked');
      expect(String(locked.json.message)).toMatch(/locked/);

      // Same answer when only gdbus (no dbus-send) is installed: the probe's fallback tool.
      const gdbusOnly = join(root, 'gdbus-only-bin');
      await mkdir(gdbusOnly, { recursive: true });
      await symlink(execFileSync('sh', ['-c', 'command -v gdbus']).toString().trim(), join(gdbusOnly, 'gdbus'));
      const viaGdbus = await runFixture(fixtureCommand('open', [...withKeyring, 'env', `PATH=${gdbusOnly}`]), lockedEnv);
      expectUnavailable(viaGdbus.json, 'locked');
      const unlockedViaGdbus = await runFixture(fixtureCommand('open', [...withKeyring, 'env', `PATH=${gdbusOnly}`]), cleanEnv({ FERRY_KEYRING_HOME: home }));
      expect(unlockedViaGdbus.json, unlockedViaGdbus.stderr).toMatchObject({ ok: true, backend: 'secret-service' });

      // With the prompt allowed the write probe asks to unlock; headless, the prompt cannot show.
      const prompted = await runFixture(fixtureCommand('open-prompt', withKeyring), lockedEnv);
      expect(prompted.json).toMatchObject({ ok: false, code: 'keychain_unavailable' });
      expect(['probe-failed', 'timeout']).toContain(prompted.json.reason);
    });

    it('a Secret Service that never answers (activation hangs)', async () => {
      const services = join(root, 'hanging-services');
      await mkdir(services, { recursive: true });
      await writeFile(
        join(services, 'org.freedesktop.secrets.service'),
        // Own stdio closed, so the never-ready service does not hold our pipes open after the test.
        "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sh -c 'exec /bin/sleep 8 </dev/null >/dev/null 2>&1'\n",
      );
      const conf = join(root, 'hanging-bus.conf');
      await writeBusConfig(conf, services);
      const run = await runFixture(fixtureCommand('open', ['dbus-run-session', `--config-file=${conf}`, '--']), cleanEnv({ HOME: root }));
      expectUnavailable(run.json, 'timeout');
    });
  });
});
