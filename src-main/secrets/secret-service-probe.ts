import { execFile } from 'node:child_process';
import type { KeychainUnavailableReason } from './keychain-error.js';

/**
 * Linux only: decide whether the freedesktop Secret Service is usable BEFORE touching
 * @napi-rs/keyring. The library's constructor talks to D-Bus synchronously (it blocked the event
 * loop for ~2 s against a bus whose secrets service never started), and without a pinned store it
 * silently falls back to the kernel keyring. So we ask the bus ourselves, in child processes
 * (`dbus-send`, else `gdbus`) that we can kill, without ever showing an unlock prompt.
 */

/** Outcome of the bus checks; `unknown` means no D-Bus CLI is installed, so only the probe can tell. */
export type SecretServiceCheck =
  | { readonly ok: true; readonly collection: string | null; readonly locked: boolean | null }
  | { readonly ok: false; readonly reason: KeychainUnavailableReason; readonly cause?: string };

type RunResult =
  | { readonly kind: 'ok'; readonly stdout: string }
  | { readonly kind: 'failed'; readonly cause: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'missing' };

type Tool = 'dbus-send' | 'gdbus';

type BusCall = { readonly dest: string; readonly path: string; readonly method: string; readonly args: readonly string[] };

const SECRETS = 'org.freedesktop.secrets';

function run(file: string, args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<RunResult> {
  if (timeoutMs <= 0) return Promise.resolve({ kind: 'timeout' });
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', env, windowsHide: true, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve({ kind: 'ok', stdout });
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return resolve({ kind: 'missing' });
        if (e.killed) return resolve({ kind: 'timeout' });
        resolve({ kind: 'failed', cause: (stderr || e.message).trim().split('\n')[0] ?? '' });
      },
    );
  });
}

function argsFor(tool: Tool, call: BusCall, timeoutMs: number): string[] {
  if (tool === 'dbus-send') {
    return [
      '--session',
      '--print-reply',
      `--reply-timeout=${Math.max(1, timeoutMs)}`,
      `--dest=${call.dest}`,
      call.path,
      call.method,
      ...call.args.map((a) => `string:${a}`),
    ];
  }
  return [
    'call',
    '--session',
    '--timeout',
    String(Math.max(1, Math.ceil(timeoutMs / 1000))),
    '--dest',
    call.dest,
    '--object-path',
    call.path,
    '--method',
    call.method,
    ...call.args.map((a) => `'${a}'`),
  ];
}

/** Output parsers that accept both `dbus-send --print-reply` and `gdbus call` formats. */
const parse = {
  boolean(stdout: string): boolean | null {
    const body = stdout.replace(/^method return[^\n]*\n/, '');
    if (/\btrue\b/.test(body)) return true;
    if (/\bfalse\b/.test(body)) return false;
    return null;
  },
  objectPath(stdout: string): string | null {
    return /(?:object path\s+"|objectpath\s+')([^"']*)["']/.exec(stdout)?.[1] ?? null;
  },
  hasName(stdout: string, name: string): boolean {
    return stdout.includes(`"${name}"`) || stdout.includes(`'${name}'`);
  },
};

/**
 * Checks, within `deadline` (epoch ms): a session bus answers; org.freedesktop.secrets is owned or
 * activatable; a default collection exists; whether it is locked. Reading the `Locked` property
 * never prompts, unlike a write to a locked collection.
 */
export async function checkSecretService(deadline: number, env: NodeJS.ProcessEnv = process.env): Promise<SecretServiceCheck> {
  if (!env.DBUS_SESSION_BUS_ADDRESS) return { ok: false, reason: 'no-session-bus' };
  const left = (): number => deadline - Date.now();

  let tool: Tool = 'dbus-send';
  const busCall = async (call: BusCall): Promise<RunResult> => {
    const ms = left();
    let res = await run(tool, argsFor(tool, call, ms), ms, env);
    if (res.kind === 'missing' && tool === 'dbus-send') {
      tool = 'gdbus';
      res = await run(tool, argsFor(tool, call, left()), left(), env);
    }
    return res;
  };
  const bus = (method: string, args: readonly string[] = []): BusCall => ({
    dest: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    method: `org.freedesktop.DBus.${method}`,
    args,
  });

  const owner = await busCall(bus('NameHasOwner', [SECRETS]));
  if (owner.kind === 'missing') return { ok: true, collection: null, locked: null };
  if (owner.kind === 'timeout') return { ok: false, reason: 'timeout', cause: 'session bus did not answer' };
  if (owner.kind === 'failed') return { ok: false, reason: 'no-session-bus', cause: owner.cause };

  if (parse.boolean(owner.stdout) !== true) {
    const activatable = await busCall(bus('ListActivatableNames'));
    if (activatable.kind === 'timeout') return { ok: false, reason: 'timeout', cause: 'session bus did not answer' };
    if (activatable.kind !== 'ok' || !parse.hasName(activatable.stdout, SECRETS)) {
      return { ok: false, reason: 'no-secret-service' };
    }
  }

  // This call starts an activatable service; a service that never comes up is caught by the deadline.
  const alias = await busCall({
    dest: SECRETS,
    path: '/org/freedesktop/secrets',
    method: 'org.freedesktop.Secret.Service.ReadAlias',
    args: ['default'],
  });
  if (alias.kind === 'timeout') return { ok: false, reason: 'timeout', cause: 'Secret Service did not answer' };
  if (alias.kind !== 'ok') return { ok: false, reason: 'no-secret-service', cause: alias.kind === 'failed' ? alias.cause : tool };
  const collection = parse.objectPath(alias.stdout);
  if (!collection || collection === '/') return { ok: false, reason: 'no-default-collection' };

  const locked = await busCall({
    dest: SECRETS,
    path: collection,
    method: 'org.freedesktop.DBus.Properties.Get',
    args: ['org.freedesktop.Secret.Collection', 'Locked'],
  });
  if (locked.kind === 'timeout') return { ok: false, reason: 'timeout', cause: 'Secret Service did not answer' };
  return { ok: true, collection, locked: locked.kind === 'ok' ? parse.boolean(locked.stdout) : null };
}
