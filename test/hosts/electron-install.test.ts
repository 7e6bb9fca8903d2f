import { createHash } from 'node:crypto';
import { access, constants, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installElectron, installedElectronBinary } from '../../scripts/launch/electron-install.js';
import { storedZip } from '../support/stored-zip.js';

// Electron's real installer (install.js + @electron/get + its unzipper) runs against a mirror on
// loopback serving a small stand-in archive, in a copy of the electron package so the worktree's
// own node_modules/electron is never touched.

const realModules = resolve('node_modules');
const version = (await import('../../node_modules/electron/package.json', { with: { type: 'json' } })).default.version;
const platformPath = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';
const archiveName = `electron-v${version}-${process.platform}-${process.arch}.zip`;
const archive = storedZip([
  { name: platformPath, data: Buffer.from('#!/bin/sh\necho stand-in electron\n'), mode: 0o755 },
  { name: 'version', data: Buffer.from(version) },
  // Enough bytes that the download takes a few progress ticks when trickled.
  { name: 'resources.bin', data: Buffer.alloc(512 * 1024, 7) },
]);
const sums = `${createHash('sha256').update(archive).digest('hex')} *${archiveName}\n`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A copy of the electron package whose dependencies resolve to the real ones. */
async function electronCopy(): Promise<{ dir: string; cache: string }> {
  const base = await mkdtemp(join(tmpdir(), 'ferry-einstall-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const dir = join(base, 'node_modules', 'electron');
  await mkdir(dir, { recursive: true });
  for (const f of ['install.js', 'package.json', 'checksums.json']) await copyFile(join(realModules, 'electron', f), join(dir, f));
  for (const scope of ['@electron', '@electron-internal']) await symlink(join(realModules, scope), join(base, 'node_modules', scope), 'dir');
  return { dir, cache: join(base, 'cache') };
}

type Mode = 'ok' | 'missing' | 'stall';

/** The mirror: SHASUMS256.txt and the archive, trickled in 64 KiB steps (or stalled half-way). */
async function mirror(mode: Mode): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === `/v${version}/SHASUMS256.txt`) return void res.end(sums);
    if (req.url !== `/v${version}/${archiveName}` || mode === 'missing') return void res.writeHead(404).end('not here');
    res.writeHead(200, { 'Content-Length': String(archive.length), 'Content-Type': 'application/zip' });
    let at = 0;
    const step = (): void => {
      if (mode === 'stall' && at >= archive.length / 2) return; // keeps the socket open, sends nothing
      const next = Math.min(archive.length, at + 64 * 1024);
      res.write(archive.subarray(at, next));
      at = next;
      if (at < archive.length) setTimeout(step, 60);
      else res.end();
    };
    step();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function installerEnv(mirrorUrl: string, cache: string): NodeJS.ProcessEnv {
  // Remote checksums: the stand-in archive is not in electron's checksums.json.
  return { PATH: process.env.PATH, HOME: process.env.HOME, ELECTRON_MIRROR: mirrorUrl, electron_config_cache: cache, electron_use_remote_checksums: '1' };
}

describe('installElectron (Electron’s own installer)', () => {
  it('downloads, checks and unpacks the binary, printing progress', async () => {
    const { dir, cache } = await electronCopy();
    expect(installedElectronBinary(dir)).toBeNull();
    const lines: string[] = [];
    const outcome = await installElectron({ electronDir: dir, env: installerEnv(await mirror('ok'), cache), tickMs: 50, progress: (l) => lines.push(l) });
    expect(outcome).toEqual({ ok: true, binary: join(dir, 'dist', platformPath) });
    await access(join(dir, 'dist', platformPath), constants.X_OK);
    expect(installedElectronBinary(dir)).toBe(join(dir, 'dist', platformPath));
    expect(lines[0]).toBe(`Downloading Electron ${version} (once; about 100 MB)…`);
    expect(lines.some((l) => /Downloading Electron .*: \d+\.\d MB after \d+ s…/.test(l) && !l.includes(': 0.0 MB'))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`Electron ${version.replace(/\./g, '\\.')} is ready \\(0\\.5 MB`));
  });

  it('reports the installer’s reason when the mirror has no such file', async () => {
    const { dir, cache } = await electronCopy();
    const outcome = await installElectron({ electronDir: dir, env: installerEnv(await mirror('missing'), cache), tickMs: 50 });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toMatch(/404/);
    expect(installedElectronBinary(dir)).toBeNull();
  });

  it('gives up on a download that stops sending', async () => {
    const { dir, cache } = await electronCopy();
    const outcome = await installElectron({ electronDir: dir, env: installerEnv(await mirror('stall'), cache), tickMs: 50, stallMs: 1500 });
    expect(outcome).toEqual({ ok: false, reason: 'no data arrived for 2 s.' });
    expect(installedElectronBinary(dir)).toBeNull();
  });

  it('says so when there is no installer at all', async () => {
    const outcome = await installElectron({ electronDir: join(tmpdir(), 'no-such-electron') });
    expect(!outcome.ok && outcome.reason).toMatch(/installer is missing/);
  });
});
