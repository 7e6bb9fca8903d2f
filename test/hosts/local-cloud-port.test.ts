import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStableLocalCloud } from '../../src-main/hosts/local-cloud-port.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('startStableLocalCloud', () => {
  it('comes back on the same port so earlier links keep working', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-port-'));
    dirs.push(dir);
    const first = await startStableLocalCloud(dir);
    const port = first.port;
    await first.close();
    const second = await startStableLocalCloud(dir);
    expect(second.port).toBe(port);
    await second.close();
  });

  it('moves to a free port when the remembered one is taken, and remembers that one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-port-'));
    dirs.push(dir);
    const first = await startStableLocalCloud(dir);
    const taken = first.port;
    await first.close();
    const squatter = http.createServer();
    await new Promise<void>((r) => squatter.listen(taken, '127.0.0.1', r));
    try {
      const second = await startStableLocalCloud(dir);
      expect(second.port).not.toBe(taken);
      const moved = second.port;
      await second.close();
      const third = await startStableLocalCloud(dir);
      expect(third.port).toBe(moved);
      await third.close();
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
    expect((squatter.address() as AddressInfo | null)).toBeNull();
  });
});

describe('the embedded local cloud runs off the uploader thread', () => {
  it('answers while this thread is blocked', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-port-'));
    dirs.push(dir);
    const cloud = await startStableLocalCloud(dir);
    try {
      // spawnSync blocks this thread until the child is done: a server on this thread could not answer it.
      const child = spawnSync(process.execPath, ['-e', `fetch(${JSON.stringify(cloud.baseUrl)}).then((r) => r.json()).then((b) => console.log(JSON.stringify(b)))`], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(child.stdout.trim(), child.stderr).toBe(JSON.stringify({ name: 'Ferry local cloud', ok: true }));
    } finally {
      await cloud.close();
    }
  });
});
