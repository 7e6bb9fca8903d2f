/**
 * Helpers for the keychain tests: run the fixture in a controlled D-Bus/keyring environment and
 * scan a directory tree for a value. Not a test file itself.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURE = fileURLToPath(new URL('./fixtures/keyring-roundtrip.ts', import.meta.url));
export const WITH_KEYRING = join(REPO, 'scripts', 'with-keyring.sh');

export type FixtureRun = {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The fixture's one JSON line; throws if the child hung or printed none. */
  readonly json: Record<string, unknown>;
};

/** The environment a child starts from: no bus, no display, no Ferry secrets from this shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('FERRY_') || k === 'DBUS_SESSION_BUS_ADDRESS' || k === 'DISPLAY' || k === 'WAYLAND_DISPLAY') delete env[k];
  }
  return { ...env, ...extra };
}

/** `node --import tsx FIXTURE mode`, optionally wrapped by `prefix` (with-keyring.sh, dbus-run-session). */
export function fixtureCommand(mode: string, prefix: readonly string[] = []): string[] {
  return [...prefix, process.execPath, '--import', 'tsx', FIXTURE, mode];
}

/** Runs a command; a child still running after `guardMs` is killed and reported as hung. */
export function runFixture(cmd: readonly string[], env: NodeJS.ProcessEnv, guardMs = 30_000): Promise<FixtureRun> {
  const [file, ...args] = cmd;
  if (!file) throw new Error('empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(guard);
      if (signal) return reject(new Error(`fixture hung and was killed (${signal}); stderr: ${stderr}`));
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`fixture printed no JSON (exit ${exitCode}); stderr: ${stderr}`));
      resolve({ exitCode, stdout, stderr, json: JSON.parse(line) as Record<string, unknown> });
    });
  });
}

/** Writes a minimal session-bus config whose only activatable services are those in `serviceDir`. */
export async function writeBusConfig(path: string, serviceDir: string): Promise<void> {
  await writeFile(
    path,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${serviceDir}</servicedir>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
  );
}

/** Every regular file under `dir` whose bytes contain `needle` as UTF-8 or UTF-16LE. */
export async function filesContaining(dir: string, needle: string): Promise<{ hits: string[]; scanned: string[] }> {
  const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')];
  const hits: string[] = [];
  const scanned: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const bytes = await readFile(path);
    scanned.push(path);
    if (forms.some((f) => bytes.includes(f))) hits.push(path);
  }
  return { hits, scanned };
}
