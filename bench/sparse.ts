/**
 * Benchmark (d), matrix row 12: a 6 GiB sparse file (`truncate -s 6G`, no disk for the source)
 * uploaded to the local cloud; prints the part plan and this process's peak RSS. The local cloud
 * stores the assembled 6 GiB (plus parts while uploading), so it runs only when asked:
 * `FERRY_BENCH_SPARSE=1 npm run bench`, or `tsx bench/sparse.ts` alone. Everything is deleted after.
 * Run as its own process so the peak RSS is this upload's and nothing else's. Prints one JSON line.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PART_SIZE, partSizeFor } from '../src-main/providers/filestack/provider.js';
import { ferryUpload, MIB } from './lib.js';

export type SparseResult = {
  sizeBytes: number;
  partSize: number;
  parts: number;
  seconds: number;
  /** Peak RSS of the whole process (Node + tsx + the in-process local cloud + Ferry). */
  peakRssMiB: number;
  /** RSS just before the upload started (runtime, loader, modules). */
  startRssMiB: number;
  boundMiB: number;
  intact: boolean;
};

async function main(): Promise<void> {
  const size = Number(process.env.FERRY_BENCH_SPARSE_GIB ?? 6) * 1024 * MIB;
  const concurrency = 3;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-sparse-'));
  try {
    const file = path.join(dir, 'sparse.bin');
    await writeFile(file, '');
    await truncate(file, size);
    const partSize = partSizeFor(size, DEFAULT_PART_SIZE);
    const startRssMiB = process.memoryUsage().rss / MIB;
    const { seconds, intact } = await ferryUpload(file, size, path.join(dir, 'cloud'), { partConcurrency: concurrency });
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const result: SparseResult = {
      sizeBytes: size,
      partSize,
      parts: Math.ceil(size / partSize),
      seconds,
      peakRssMiB,
      startRssMiB,
      // Matrix row 12: peak RSS < concurrency × part size + 150 MB.
      boundMiB: (concurrency * partSize) / MIB + 150,
      intact,
    };
    console.log(JSON.stringify(result));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
