/**
 * Many small files through the path users run: the CLI (engine, SQLite journal) uploading a
 * folder to the local cloud in its own process, against filestack-js uploading the same files
 * the same number at a time to the same kind of server, both timed as whole processes; rounds
 * interleaved, medians with min–max. Knobs: FERRY_BENCH_SMALL (files, default 10000: the goal's
 * size), FERRY_BENCH_SMALL_KB (default 10), FERRY_BENCH_FILES_AT_ONCE (default 4),
 * FERRY_BENCH_SMALL_RUNS (default FERRY_BENCH_RUNS, 5), FERRY_BENCH_OTHER_CLI (another build's
 * dist/main/cli.js, run as a third variant in the same rounds: an A/B of a change).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fmt, interleaved, jsonLines, PORT_80_SKIP, ROOT, runNode, spread, startCloud, storedRecord, type BenchModule, type ChildRun, type Row } from './lib.js';

const COUNT = Number(process.env.FERRY_BENCH_SMALL ?? 10000);
const KB = Number(process.env.FERRY_BENCH_SMALL_KB ?? 10);
const AT_ONCE = Number(process.env.FERRY_BENCH_FILES_AT_ONCE ?? 4);
const RUNS = Math.max(1, Number(process.env.FERRY_BENCH_SMALL_RUNS ?? process.env.FERRY_BENCH_RUNS ?? 5));
const SDK_APIKEY = 'BenchFilestackJsKey001';
const CLI = path.join(ROOT, 'dist', 'main', 'cli.js');
const OTHER_CLI = process.env.FERRY_BENCH_OTHER_CLI ? path.resolve(process.env.FERRY_BENCH_OTHER_CLI) : null;

type Variant = 'ferry' | 'other' | 'sdk';
const VARIANTS: readonly Variant[] = ['ferry', ...(OTHER_CLI ? (['other'] as const) : []), 'sdk'];
type Sample = { seconds: number; done: number; intact: boolean };

/** Writes `count` distinct files of `bytes` each; returns their MD5s by name. */
async function writeFiles(dir: string, count: number, bytes: number): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const payload = randomBytes(bytes * 16);
  const md5s = new Map<string, string>();
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, (_, j) => {
        const n = i + j;
        const name = `f${String(n).padStart(6, '0')}.bin`;
        const body = Buffer.concat([Buffer.from(String(n).padStart(8, '0')), payload.subarray((n * 97) % (payload.length - bytes), ((n * 97) % (payload.length - bytes)) + bytes - 8)]);
        md5s.set(name, createHash('md5').update(body).digest('hex'));
        return writeFile(path.join(dir, name), body);
      }),
    );
  }
  return md5s;
}

/** Every stored file the run reports matches its source. */
async function allIntact(cloudDir: string, stored: { file: string; handle: string }[], md5s: Map<string, string>): Promise<boolean> {
  if (stored.length !== md5s.size) return false;
  for (const s of stored) {
    const record = await storedRecord(cloudDir, s.handle);
    if (!record || record.md5 !== md5s.get(path.basename(s.file))) return false;
  }
  return true;
}

async function runOne(v: Variant, src: string, md5s: Map<string, string>, scratch: string): Promise<Sample | { skipped: string }> {
  const cloudDir = path.join(scratch, 'cloud');
  const server = await startCloud(cloudDir, v === 'sdk' ? 80 : 0, v === 'sdk' ? ['--apikey', SDK_APIKEY] : []);
  if (server === null) return { skipped: v === 'sdk' ? PORT_80_SKIP : 'the local cloud did not start' };
  let run: ChildRun;
  let stored: { file: string; handle: string }[];
  try {
    if (v !== 'sdk') {
      const data = path.join(scratch, 'ferry');
      await mkdir(data, { recursive: true });
      await writeFile(path.join(data, 'settings.json'), JSON.stringify({ fileConcurrency: AT_ONCE, partConcurrency: 3, bandwidthLimit: 0 }));
      run = await runNode([v === 'other' ? (OTHER_CLI as string) : CLI, 'upload', src, '--json', '--data', data, '--local-cloud', server.match[1] ?? '']);
      stored = jsonLines(run.stdout)
        .filter((l) => l.state === 'done' && typeof l.url === 'string')
        .map((l) => ({ file: String(l.file), handle: String(l.url).split('/').pop() ?? '' }));
    } else {
      run = await runNode([path.join(ROOT, 'bench', 'procs', 'sdk-upload.mjs'), SDK_APIKEY, src, String(AT_ONCE)]);
      stored = jsonLines(run.stdout)
        .filter((l) => typeof l.handle === 'string')
        .map((l) => ({ file: String(l.file), handle: String(l.handle) }));
    }
  } finally {
    await server.stop();
  }
  return { seconds: run.seconds, done: stored.length, intact: run.code === 0 && (await allIntact(cloudDir, stored, md5s)) };
}

export const smallFilesBench: BenchModule = {
  name: 'small-files',
  async run(dir) {
    const src = path.join(dir, 'small');
    const md5s = await writeFiles(src, COUNT, KB * 1024);
    console.log(`small files: ${COUNT} × ${KB} KiB, ${AT_ONCE} at once, ${RUNS} interleaved rounds`);
    const { samples, skipped, failed } = await interleaved(dir, VARIANTS, RUNS, (v, _round, scratch) => runOne(v, src, md5s, scratch), (s) => `${(s.done / s.seconds).toFixed(1).padStart(7)} files/s`);
    const rate = (v: Variant) => spread((samples.get(v) ?? []).map((s) => s.done / s.seconds));
    const rows: Row[] = [];
    const labels: Record<Variant, string> = {
      ferry: `Ferry CLI: ${COUNT} × ${KB} KiB, ${AT_ONCE} at once`,
      other: `other build's CLI (${OTHER_CLI ?? ''})`,
      sdk: `filestack-js: same files, ${AT_ONCE} at once`,
    };
    for (const v of VARIANTS) {
      const reason = skipped.get(v);
      rows.push(reason !== undefined ? { label: labels[v], value: `skipped: ${reason}` } : { label: labels[v], value: `${fmt(rate(v))} files/s`, key: `small_${v}_files_per_s`, n: rate(v).median });
    }
    const f = rate('ferry').median;
    const s = rate('sdk').median;
    if (Number.isFinite(f) && Number.isFinite(s)) rows.push({ label: '    ratio Ferry / filestack-js (goal ≥ 2)', value: (f / s).toFixed(2), key: 'small_ferry_vs_filestack_js', n: f / s });
    return { rows, failed };
  },
};
