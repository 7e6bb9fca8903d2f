/**
 * Matrix row 12 at full size, opt-in (FERRY_BENCH_SPARSE=1; FERRY_BENCH_SPARSE_GIB, default 6):
 * a sparse file (`truncate`, no disk for the source) uploaded by the CLI to a local cloud in its
 * own process, which stores the whole file. Prints the part plan, the speed and the CLI's peak
 * RSS against the bound concurrency × part size + 150 MB.
 */
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PART_SIZE, partSizeFor } from '../src-main/providers/filestack/provider.js';
import { GIB, jsonLines, MIB, ROOT, runNode, startServer, storedRecord, type BenchModule } from './lib.js';

const CONCURRENCY = 3;

export const sparseBench: BenchModule = {
  name: 'sparse',
  async run(dir) {
    if (process.env.FERRY_BENCH_SPARSE !== '1') {
      return { rows: [{ label: '6 GiB sparse: peak RSS', value: 'skipped (set FERRY_BENCH_SPARSE=1; the local cloud stores 6 GiB)' }] };
    }
    const size = Number(process.env.FERRY_BENCH_SPARSE_GIB ?? 6) * GIB;
    const file = path.join(dir, 'sparse.bin');
    await writeFile(file, '');
    await truncate(file, size);
    const cloudDir = path.join(dir, 'cloud');
    const server = await startServer([path.join(ROOT, 'dist', 'main', 'localcloud.js'), '--port', '0', '--data', cloudDir], /listening on (http:\/\/\S+)/);
    const run = await runNode([path.join(ROOT, 'dist', 'main', 'cli.js'), 'upload', file, '--json', '--data', path.join(dir, 'ferry'), '--local-cloud', server.match[1] ?? '']).finally(() => server.stop());
    const handle = String(jsonLines(run.stdout).find((l) => l.state === 'done')?.url ?? '').split('/').pop() ?? '';
    const record = await storedRecord(cloudDir, handle);
    const partSize = partSizeFor(size, DEFAULT_PART_SIZE);
    const boundMiB = (CONCURRENCY * partSize + 150e6) / MIB;
    const intact = run.code === 0 && record?.size === size;
    return {
      failed: !intact || run.maxRssMiB > boundMiB,
      rows: [
        { label: `${size / GIB} GiB sparse: parts × part size`, value: `${Math.ceil(size / partSize)} × ${(partSize / MIB).toFixed(1)} MiB` },
        { label: `${size / GIB} GiB sparse: CLI → local cloud`, value: `${(size / MIB / run.seconds).toFixed(1)} MB/s (stored: ${intact})`, key: 'sparse_MBps', n: size / MIB / run.seconds },
        { label: `${size / GIB} GiB sparse: CLI peak RSS`, value: `${run.maxRssMiB.toFixed(0)} MiB (bound ${boundMiB.toFixed(0)} MiB)`, key: 'lower:sparse_peak_rss_MiB', n: run.maxRssMiB },
      ],
    };
  },
};
