import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/hosts/compose.js';
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

describe('the embedded local cloud grants intelligent ingestion', () => {
  it('an --intelligent upload to it goes up as FII, not silently as a regular upload', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-port-'));
    dirs.push(dir);
    const app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', intelligent: true });
    try {
      const file = path.join(dir, 'big.bin');
      const bytes = randomBytes(9 * 1024 * 1024);
      await writeFile(file, bytes);
      const [id] = (await app.engine.addPaths([file])).jobIds;
      await app.engine.whenIdle();
      const job = app.engine.get(id as string);
      expect(job?.status.kind).toBe('done');
      // The session record stays after complete; it says whether FII was granted.
      const uploads = path.join(dir, 'data', 'localcloud', 'uploads');
      const sessions = await Promise.all((await readdir(uploads)).map(async (u) => JSON.parse(await readFile(path.join(uploads, u, 'session.json'), 'utf8')) as { fii?: boolean }));
      expect(sessions).toHaveLength(1);
      expect(sessions[0]?.fii).toBe(true);
      const got = Buffer.from(await (await fetch(job?.status.kind === 'done' ? job.status.result.url : '')).arrayBuffer());
      expect(got.equals(bytes)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
