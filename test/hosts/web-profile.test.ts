import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnStablePort } from '../../src-main/hosts/stable-port.js';
import { loadOrCreateToken } from '../../src-main/hosts/web/token.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ferry-profile-'));
  dirs.push(d);
  return d;
}

/** A throwaway loopback server shaped like the hosts (it has a `port`). */
async function server(port: number): Promise<{ port: number; close(): Promise<void> }> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve());
  });
  return { port: (s.address() as { port: number }).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

describe('web host token per profile', () => {
  it('is made once with mode 0600 and read back on the next launch', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateToken(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const file = join(dir, 'web', 'token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(dir)).toBe(first);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
  });

  it('replaces a damaged token, and one that other users could read', async () => {
    const dir = await tempDir();
    const file = join(dir, 'web', 'token');
    const first = await loadOrCreateToken(dir);
    await writeFile(file, 'short');
    const second = await loadOrCreateToken(dir);
    expect(second).not.toBe(first);
    await chmod(file, 0o644);
    const third = await loadOrCreateToken(dir);
    expect(third).not.toBe(second);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('listenOnStablePort', () => {
  it('comes back on the remembered port, moves when it is taken, and keeps 0 for "any port"', async () => {
    const dir = await tempDir();
    const file = join(dir, 'web', 'port');
    const first = await listenOnStablePort(file, server);
    const port = first.port;
    await first.close();
    expect(await readFile(file, 'utf8')).toBe(String(port));
    const again = await listenOnStablePort(file, server);
    expect(again.port).toBe(port);
    // Taken by someone else: a free port, remembered in its place.
    const moved = await listenOnStablePort(file, server);
    expect(moved.port).not.toBe(port);
    expect(await readFile(file, 'utf8')).toBe(String(moved.port));
    await Promise.all([again.close(), moved.close()]);
    // An explicit 0 (tests, scripts) takes any port and leaves the remembered one alone.
    const any = await listenOnStablePort(file, server, 0);
    expect(await readFile(file, 'utf8')).toBe(String(moved.port));
    await any.close();
  });

  it('fails plainly when an explicitly named port is taken', async () => {
    const dir = await tempDir();
    const squatter = await server(0);
    try {
      await expect(listenOnStablePort(join(dir, 'port'), server, squatter.port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await squatter.close();
    }
  });
});
