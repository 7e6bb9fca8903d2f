/**
 * `npm run bench`: Ferry's upload throughput to the local cloud against a raw streaming PUT of
 * the same bytes to a sink on loopback, run side by side on the same file. The raw PUT is the
 * ceiling (no hashing, no parts, no storage); the ratio says how much of it Ferry keeps.
 * FERRY_BENCH_MB sets the file size (default 256).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from '../src-main/localcloud/server.js';
import { createFilestackProvider } from '../src-main/providers/filestack/provider.js';
import type { UploadCheckpoint } from '../src-main/engine/ports.js';

const MIB = 1024 * 1024;
const sizeMb = Number(process.env.FERRY_BENCH_MB ?? 256);

async function makeFile(dir: string, bytes: number): Promise<string> {
  const file = path.join(dir, 'bench.bin');
  const fh = await open(file, 'w');
  const block = randomBytes(4 * MIB);
  for (let written = 0; written < bytes; written += block.length) {
    await fh.write(block, 0, Math.min(block.length, bytes - written));
  }
  await fh.close();
  return file;
}

/** Streams the file with one PUT to a server that only counts bytes. */
async function rawPut(file: string, bytes: number): Promise<number> {
  let received = 0;
  const sink = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const { port } = sink.address() as AddressInfo;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/sink', headers: { 'content-length': bytes } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => sink.close(() => r()));
  if (received !== bytes) throw new Error(`sink received ${received} of ${bytes} bytes`);
  return seconds;
}

async function ferryUpload(file: string, bytes: number, dataDir: string): Promise<{ seconds: number; url: string }> {
  const cloud = await startLocalCloud({ dataDir });
  const provider = createFilestackProvider({
    kind: 'local',
    apikey: DEFAULT_LOCAL_APIKEY,
    uploadBase: cloud.baseUrl,
    cdnBase: cloud.baseUrl,
    fileApiBase: cloud.baseUrl,
  });
  let saved: unknown = null;
  const checkpoint: UploadCheckpoint = { load: () => saved, save: (s) => (saved = s), clear: () => (saved = null) };
  const t0 = performance.now();
  const result = await provider.upload(
    { path: file, name: 'bench.bin', relativePath: null, size: bytes, mimetype: 'application/octet-stream' },
    { signal: new AbortController().signal, onProgress: () => undefined, checkpoint },
  );
  const seconds = (performance.now() - t0) / 1000;
  await cloud.close();
  return { seconds, url: result.url };
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-'));
  try {
    const bytes = sizeMb * MIB;
    const file = await makeFile(dir, bytes);
    const raw = await rawPut(file, bytes);
    const rssBefore = process.memoryUsage().rss;
    const ferry = await ferryUpload(file, bytes, path.join(dir, 'cloud'));
    const rssAfter = process.memoryUsage().rss;
    const stored = path.join(dir, 'cloud', 'files', ferry.url.split('/').pop() ?? '');
    const intact = (await sha256(file)) === (await sha256(stored));
    const mbps = (s: number): string => (sizeMb / s).toFixed(1);
    console.log(`file size                : ${sizeMb} MiB`);
    console.log(`raw loopback PUT (baseline): ${mbps(raw)} MB/s (${raw.toFixed(2)} s)`);
    console.log(`Ferry → local cloud        : ${mbps(ferry.seconds)} MB/s (${ferry.seconds.toFixed(2)} s, incl. per-part MD5 and verification)`);
    console.log(`ratio Ferry / raw          : ${(raw / ferry.seconds).toFixed(2)}`);
    console.log(`RSS after upload           : ${(rssAfter / MIB).toFixed(0)} MiB (before ${(rssBefore / MIB).toFixed(0)} MiB)`);
    console.log(`stored bytes intact        : ${intact}`);
    if (!intact) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
