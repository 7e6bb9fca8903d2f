/** Shared helpers of the benchmark scripts: test files, the raw PUT ceiling, one Ferry upload. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UploadCheckpoint } from '../src-main/engine/ports.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from '../src-main/localcloud/server.js';
import { createFilestackProvider, type FilestackProviderOptions } from '../src-main/providers/filestack/provider.js';

export const MIB = 1024 * 1024;

/** Writes `bytes` of random data (4 MiB blocks, so even big files take little memory). */
export async function makeFile(dir: string, bytes: number, name = 'bench.bin'): Promise<string> {
  const file = path.join(dir, name);
  const fh = await open(file, 'w');
  const block = randomBytes(4 * MIB);
  for (let written = 0; written < bytes; written += block.length) {
    await fh.write(block, 0, Math.min(block.length, bytes - written));
  }
  await fh.close();
  return file;
}

export async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** Streams the file with one PUT to a server that only counts bytes; returns seconds. */
export async function rawPut(file: string, bytes: number): Promise<number> {
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

export function memoryCheckpoint(): UploadCheckpoint {
  let saved: unknown = null;
  return { load: () => saved, save: (s) => (saved = s), clear: () => (saved = null) };
}

/**
 * Uploads one file with Ferry's Filestack provider to a fresh local cloud in `dataDir` and checks
 * the stored bytes. `extra` selects e.g. intelligent ingestion.
 */
export async function ferryUpload(
  file: string,
  bytes: number,
  dataDir: string,
  extra: Partial<FilestackProviderOptions> = {},
): Promise<{ seconds: number; intact: boolean }> {
  const cloud = await startLocalCloud({ dataDir, apps: [{ apikey: DEFAULT_LOCAL_APIKEY, intelligentIngestion: true }] });
  try {
    const provider = createFilestackProvider({
      kind: 'local',
      apikey: DEFAULT_LOCAL_APIKEY,
      uploadBase: cloud.baseUrl,
      cdnBase: cloud.baseUrl,
      fileApiBase: cloud.baseUrl,
      ...extra,
    });
    const t0 = performance.now();
    const result = await provider.upload(
      { path: file, name: path.basename(file), relativePath: null, size: bytes, mimetype: 'application/octet-stream' },
      { signal: new AbortController().signal, onProgress: () => undefined, checkpoint: memoryCheckpoint() },
    );
    const seconds = (performance.now() - t0) / 1000;
    const intact = (await sha256(file)) === (await sha256(cloud.storage.blobPath(result.remoteId)));
    return { seconds, intact };
  } finally {
    await cloud.close();
  }
}
