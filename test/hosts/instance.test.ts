import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src-shared/model/job.js';
import { dispatch } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { appBackend } from '../../src-main/hosts/instance/app-backend.js';
import { claimInstance, type Claim, type OwnerClaim } from '../../src-main/hosts/instance/claim.js';
import { recordIntent } from '../../src-main/hosts/instance/intents.js';
import { launchFiles } from '../../src-main/hosts/instance/launch.js';
import { MAX_LINE_BYTES } from '../../src-main/hosts/instance/messages.js';
import { instancePaths } from '../../src-main/hosts/instance/paths.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { ROOT } from './cli-bundle.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const claim = (dataDir: string, extra: Partial<Parameters<typeof claimInstance>[0]> = {}): Promise<Claim> =>
  claimInstance({ dataDir, kind: 'cli', version: 'test', logger: quiet, ...extra });

let tmp: string;
beforeAll(async () => {
  tmp = await makeTempDir('ferry-instance-');
});
afterAll(async () => {
  await removeTempDir(tmp);
});

/** A raw connection to the socket, for what a well-behaved client never sends. */
async function rawLines(socketPath: string, lines: (string | Buffer)[], expect: number): Promise<Record<string, unknown>[]> {
  const socket = net.connect(socketPath);
  const got: Record<string, unknown>[] = [];
  let buffer = '';
  return new Promise((resolve, reject) => {
    socket.on('connect', () => {
      for (const line of lines) socket.write(line);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        got.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
      if (got.length >= expect) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

describe('instance socket of a running app', () => {
  let dataDir: string;
  let owner: OwnerClaim;
  let app: FerryApp;
  let secret: string;
  beforeAll(async () => {
    dataDir = path.join(tmp, 'running');
    const c = await claim(dataDir, { kind: 'app' });
    if (c.role !== 'owner') throw new Error('expected to own a fresh folder');
    owner = c;
    secret = c.info.secret;
    // The renderer may read nothing (no allowed roots); the socket's client is the user.
    app = await createApp({ dataDir, host: 'web', allowedRoots: [] });
    owner.server.attach(appBackend(app, { url: () => 'http://127.0.0.1:1/?token=t', port: () => 1 }));
  });
  afterAll(async () => {
    await app?.close();
    await owner?.release();
  });

  it('a second claim becomes its client; lock, folder and socket are private to the user', async () => {
    const paths = instancePaths(dataDir);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.lockFile)).mode & 0o777).toBe(0o600);
    const sock = await stat(paths.socket);
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    const second = await claim(dataDir);
    expect(second.role).toBe('client');
    if (second.role !== 'client') return;
    expect(second.client.welcome).toMatchObject({ pid: process.pid, kind: 'app' });
    const info = await second.client.call('app:info', {});
    expect(info).toMatchObject({ ok: true, value: { host: 'web' } });
    second.client.close();
  });

  it('carries the contract with push events, and reads the user’s paths without the renderer’s guard', async () => {
    const file = path.join(tmp, 'via-socket.txt');
    await writeFile(file, 'from the command line');
    const refused = await dispatch(app.handlers, 'jobs:add-paths', { paths: [file] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const c = await claim(dataDir);
    if (c.role !== 'client') throw new Error('expected a client');
    const seen: JobView[] = [];
    c.client.on('jobs:updated', (payload) => seen.push(...(payload as { jobs: JobView[] }).jobs));
    const added = await c.client.call('jobs:add-paths', { paths: [file] });
    expect(added.ok).toBe(true);
    const id = added.ok ? (added.value as { jobIds: string[] }).jobIds[0] : '';
    for (let i = 0; i < 200 && !seen.some((j) => j.id === id && j.status.kind === 'done'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(seen.find((j) => j.id === id && j.status.kind === 'done')).toBeDefined();
    c.client.close();
  });

  it('answers bad input as data: no secret, bad JSON, oversize lines, unknown channels, bad payloads', async () => {
    const { socket } = instancePaths(dataDir);
    // Without the secret: one typed refusal, then the connection ends.
    const noHello = await rawLines(socket, ['{"t":"call","id":1,"channel":"app:info","payload":{}}\n'], 1);
    expect(noHello[0]).toMatchObject({ t: 'error', error: { code: 'unauthorized' } });
    const wrong = await rawLines(socket, ['{"t":"hello","v":1,"secret":"not-the-secret-at-all"}\n'], 1);
    expect(wrong[0]).toMatchObject({ t: 'error', error: { code: 'unauthorized' } });

    const hello = `${JSON.stringify({ t: 'hello', v: 1, secret })}\n`;
    const huge = Buffer.alloc(MAX_LINE_BYTES + 100, 0x61);
    const answers = await rawLines(
      socket,
      [
        hello,
        'this is not json\n',
        huge,
        '\n',
        '{"t":"call","id":2,"channel":"no:such","payload":{}}\n',
        '{"t":"call","id":3,"channel":"instance:open","payload":{"files":"x"}}\n',
        '{"t":"call","id":4,"channel":"jobs:list","payload":{},"extra":1}\n',
        '{"t":"call","id":5,"channel":"app:info","payload":{}}\n',
      ],
      7,
    );
    expect(answers[0]).toMatchObject({ t: 'welcome', pid: process.pid });
    const rest = answers.slice(1);
    expect(rest).toContainEqual(expect.objectContaining({ t: 'error', error: expect.objectContaining({ code: 'bad_request' }) }));
    expect(rest).toContainEqual(expect.objectContaining({ t: 'error', error: expect.objectContaining({ code: 'payload_too_large' }) }));
    expect(rest).toContainEqual(expect.objectContaining({ t: 'reply', id: 2, result: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'bad_request' }) }) }));
    expect(rest).toContainEqual(expect.objectContaining({ t: 'reply', id: 3, result: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'bad_request' }) }) }));
    // The connection survived all of it.
    expect(rest).toContainEqual(expect.objectContaining({ t: 'reply', id: 5, result: expect.objectContaining({ ok: true }) }));
  });

  it('instance:open queues a second launch’s files and answers the URL, with a note for another --port', async () => {
    const file = path.join(tmp, 'second-launch.txt');
    await writeFile(file, 'handed over');
    const c = await claim(dataDir);
    if (c.role !== 'client') throw new Error('expected a client');
    const answer = await c.client.call('instance:open', { files: [file, path.join(tmp, 'missing.txt')], port: 8080 });
    expect(answer).toMatchObject({
      ok: true,
      value: { url: 'http://127.0.0.1:1/?token=t', skipped: [{ path: path.join(tmp, 'missing.txt'), reason: 'not found' }], note: expect.stringContaining('--port 8080') },
    });
    if (answer.ok) expect((answer.value as { jobIds: string[] }).jobIds).toHaveLength(1);
    c.client.close();
  });
});

describe('intents: what a ferry asked for before its jobs were journaled', () => {
  it('recovering one intent queues only its paths without jobs and returns the jobs of all of them', async () => {
    const dataDir = path.join(tmp, 'intents');
    const c = await claim(dataDir);
    if (c.role !== 'owner') throw new Error('expected to own a fresh folder');
    const app = await createApp({ dataDir, host: 'web', allowedRoots: [] });
    try {
      const backend = appBackend(app, { url: () => null });
      const a = path.join(tmp, 'intent-a.txt');
      const b = path.join(tmp, 'intent-b.txt');
      await writeFile(a, 'queued before the owner went away');
      await writeFile(b, 'never reached the journal');
      const intent = await recordIntent(dataDir, [a, b, path.join(tmp, 'intent-gone.txt')], 'local');
      const first = await app.engine.addPaths([a], 'local');
      const recovered = await backend.instance['instance:recover']({ intent: intent.intent.id });
      expect(recovered.jobIds).toHaveLength(2);
      expect(recovered.jobIds).toContain(first.jobIds[0]);
      expect(Object.values(recovered.labels).sort()).toEqual([a, b]);
      expect(recovered.failed).toEqual([{ file: path.join(tmp, 'intent-gone.txt'), error: 'not found' }]);
      // Nothing was queued twice, and the intent is settled.
      expect(app.jobRecords().filter((j) => j.sourcePath === a)).toHaveLength(1);
      expect(await backend.instance['instance:recover']({})).toEqual({ jobIds: [], labels: {}, failed: [] });
    } finally {
      await app.close();
      await c.release();
    }
  });
});

describe('stale and stuck owners', () => {
  const deadPid = async (): Promise<number> => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.once('exit', r));
    return child.pid ?? 999_999;
  };
  const writeLock = async (dataDir: string, content: Record<string, unknown>): Promise<void> => {
    const paths = instancePaths(dataDir);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await writeFile(paths.lockFile, JSON.stringify({ v: 1, kind: 'app', socket: paths.socket, secret: 'x'.repeat(32), ...content }));
  };

  it('takes over a lock whose process is gone, and one whose socket never came up', async () => {
    const a = path.join(tmp, 'stale-dead');
    await writeLock(a, { pid: await deadPid(), startedAt: Date.now() });
    const first = await claim(a);
    expect(first.role).toBe('owner');
    if (first.role === 'owner') await first.release();
    // Our own pid is alive, but nothing has listened on the socket for a minute: a reused pid.
    const b = path.join(tmp, 'stale-socket');
    await writeLock(b, { pid: process.pid, startedAt: Date.now() - 60_000 });
    const second = await claim(b);
    expect(second.role).toBe('owner');
    if (second.role === 'owner') {
      expect(JSON.parse(await readFile(instancePaths(b).lockFile, 'utf8'))).toMatchObject({ secret: second.info.secret });
      await second.release();
    }
  });

  it('many claims racing over one stale lock: exactly one owner, the others its clients', async () => {
    const dir = path.join(tmp, 'race');
    await writeLock(dir, { pid: await deadPid(), startedAt: Date.now() });
    const claims = await Promise.all(Array.from({ length: 6 }, () => claim(dir)));
    const owners = claims.filter((c) => c.role === 'owner');
    expect(owners).toHaveLength(1);
    for (const c of claims) if (c.role === 'client') c.client.close();
    for (const o of owners) if (o.role === 'owner') await o.release();
  });

  it('never takes over an owner that is alive but does not answer (stopped), and joins it once it runs again', async () => {
    const dir = path.join(tmp, 'stopped');
    let child: ChildProcess | null = null;
    try {
      child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'hosts', 'fixtures', 'instance-owner.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const proc = child;
      await new Promise<void>((resolve, reject) => {
        proc.stdout?.on('data', (c: Buffer) => (c.toString().includes('owner') ? resolve() : reject(new Error(c.toString()))));
        proc.once('exit', (code) => reject(new Error(`owner exited ${code}`)));
      });
      proc.kill('SIGSTOP');
      await expect(claim(dir, { giveUpMs: 2500 })).rejects.toMatchObject({ error: { code: 'conflict' } });
      proc.kill('SIGCONT');
      const joined = await claim(dir);
      expect(joined.role).toBe('client');
      if (joined.role === 'client') {
        expect(joined.client.welcome.pid).toBe(proc.pid);
        joined.client.close();
      }
    } finally {
      child?.kill('SIGCONT');
      child?.kill('SIGTERM');
    }
  }, 30_000);
});

describe('instancePaths', () => {
  it('keeps the socket beside the lock when it fits, else in the private runtime folder; a named pipe on Windows', () => {
    expect(instancePaths('/home/u/.config/Ferry', 'linux', {}).socket).toBe('/home/u/.config/Ferry/run/ferry.sock');
    const long = `/data/${'x'.repeat(120)}`;
    const far = instancePaths(long, 'linux', { XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(far.lockFile).toBe(`${long}/run/instance.json`);
    expect(far.socket).toMatch(/^\/run\/user\/1000\/ferry-[0-9a-f]{24}\.sock$/);
    expect(instancePaths(long, 'linux', { XDG_RUNTIME_DIR: '/run/user/1000' }).socket).toBe(far.socket);
    expect(instancePaths('C:\\Users\\u\\AppData\\Roaming\\Ferry', 'win32', {}).socket).toMatch(/^\\\\\.\\pipe\\ferry-[0-9a-f]{24}$/);
  });
});

describe('launchFiles (Electron command lines)', () => {
  it('skips the executable, the app path of `electron .`, and switches', () => {
    expect(launchFiles(['/opt/Ferry/ferry', '--no-sandbox', 'a.jpg', '/abs/b.png'], false, '/home/u')).toEqual(['/home/u/a.jpg', '/abs/b.png']);
    expect(launchFiles(['/usr/bin/electron', '.', 'a.jpg', '--', '--odd'], true, '/w')).toEqual(['/w/a.jpg', '/w/--odd']);
    expect(launchFiles(['/usr/bin/electron', '.'], true, '/w')).toEqual([]);
    expect(launchFiles(['/opt/Ferry/ferry', '--data', '/d', '--port=1', 'x.png'], false, '/w')).toEqual(['/w/x.png']);
  });
});
