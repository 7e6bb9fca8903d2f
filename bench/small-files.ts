/** Benchmark (c): many small files through the whole engine (createEngine → local cloud). */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEngine } from '../src-main/engine/engine.js';
import { createMemoryJobStore } from '../src-main/engine/memory-store.js';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud } from '../src-main/localcloud/server.js';
import { createFilestackProvider } from '../src-main/providers/filestack/provider.js';

export type SmallFilesResult = { files: number; bytesEach: number; seconds: number; done: number; filesPerSecond: number };

/** Writes `count` files of `bytesEach` random bytes and uploads the folder through the engine. */
export async function benchSmallFiles(dir: string, count: number, bytesEach: number, fileConcurrency: number): Promise<SmallFilesResult> {
  const src = path.join(dir, 'small');
  await mkdir(src, { recursive: true });
  const payload = randomBytes(bytesEach * 16);
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, j) => {
        const n = i + j;
        const off = (n * 97) % (payload.length - bytesEach);
        return writeFile(path.join(src, `f${String(n).padStart(6, '0')}.bin`), payload.subarray(off, off + bytesEach));
      }),
    );
  }
  const cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud-small') });
  const engine = createEngine({
    providers: {
      local: createFilestackProvider({ kind: 'local', apikey: DEFAULT_LOCAL_APIKEY, uploadBase: cloud.baseUrl, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl }),
    },
    store: createMemoryJobStore(),
    clock: { now: () => Date.now() },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    defaultDestination: 'local',
    fileConcurrency,
  });
  try {
    const t0 = performance.now();
    await engine.addPaths([src]);
    await engine.whenIdle();
    const seconds = (performance.now() - t0) / 1000;
    const done = engine.list().filter((j) => j.status.kind === 'done').length;
    return { files: count, bytesEach, seconds, done, filesPerSecond: done / seconds };
  } finally {
    await engine.close();
    await cloud.close();
  }
}
