import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const URL_LINE = /Ferry is running in browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

let tmp: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ferry-web-main-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

/** Starts the web host entry point and resolves once it printed its URL. */
async function startMain(args: readonly string[]): Promise<{ url: string; output(): string; stop(): Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src-main/hosts/web/main.ts', ...args], {
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_PORT: '' },
  });
  child = proc;
  let out = '';
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = URL_LINE.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  const stop = (): Promise<number | null> => {
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    return exit;
  };
  return { url, output: () => out, stop };
}

describe('web host entry point (tsx src-main/hosts/web/main.ts)', () => {
  it('prints the URL, serves a page, and exits cleanly on SIGTERM', async () => {
    // A static dir without index.html: the host must still answer with its built-in page.
    const host = await startMain(['--port', '0', '--data', join(tmp, 'data'), '--static', join(tmp, 'no-renderer')]);
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('renderer is not built');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await host.stop(), host.output()).toBe(0);
  });

  it('comes back after a restart on the same port with the same token, so an open page reconnects', async () => {
    const args = ['--data', join(tmp, 'restart-data'), '--static', join(tmp, 'no-renderer')];
    const first = await startMain(args);
    await first.stop();
    const second = await startMain(args);
    try {
      expect(second.url).toBe(first.url);
      const token = new URL(second.url).searchParams.get('token') ?? '';
      const session = await fetch(new URL('/session', second.url), { headers: { 'x-ferry-token': token } });
      expect(session.status).toBe(204);
    } finally {
      await second.stop();
    }
  });

  it('rejects an unknown option with a clear message', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src-main/hosts/web/main.ts', '--bogus'], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FERRY_DATA_DIR: join(tmp, 'unused') },
    });
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('Unknown option: --bogus');
  });
});
