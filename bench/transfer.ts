/**
 * One big file through every path, each client and server in its own process, the runs
 * interleaved (one of each per round, so machine load hits them alike) and each figure the
 * median of the rounds with its min–max:
 *   raw     a bare streaming PUT to a byte-counting server (the ceiling)
 *   floor   the protocol's mandatory work only: MD5 per part on each side, one disk write, fsync
 *   ferry   the CLI (engine, SQLite journal) → the local cloud in its own process: the user path
 *   embed   the CLI with its embedded local cloud (a worker thread), as `npm run ferry` runs it
 *   fii     the CLI with --intelligent → a local cloud that grants intelligent ingestion
 *   sdk     the official filestack-js client → the same local cloud, timed as a whole process
 *   other   (only with FERRY_BENCH_OTHER_CLI=<another build's dist/main/cli.js>) that build's CLI
 *           → this build's local cloud, like `ferry`: two builds compared in one sitting
 * Clients are timed from spawn to exit; CPU is each process's own (all threads), per GiB.
 * Knobs: FERRY_BENCH_MB (default 1024), FERRY_BENCH_RUNS (default 5), FERRY_BENCH_VARIANTS
 * (e.g. floor,ferry; default all).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fmt, GIB, interleaved, jsonLines, makeFile, md5File, MIB, PORT_80_SKIP, ROOT, runNode, spread, startCloud, startServer, storedRecord, type BenchModule, type ChildRun, type Row, type ServerChild } from './lib.js';

const SIZE_MB = Number(process.env.FERRY_BENCH_MB ?? 1024);
const RUNS = Math.max(1, Number(process.env.FERRY_BENCH_RUNS ?? 5));
const SDK_APIKEY = 'BenchFilestackJsKey001';
const CLI = path.join(ROOT, 'dist', 'main', 'cli.js');
const PROCS = path.join(ROOT, 'bench', 'procs');
const PORT_READY = /^port (\d+)/;

const OTHER_CLI = process.env.FERRY_BENCH_OTHER_CLI ? path.resolve(process.env.FERRY_BENCH_OTHER_CLI) : null;

type Variant = 'raw' | 'floor' | 'ferry' | 'other' | 'embed' | 'fii' | 'sdk';
const ALL: readonly Variant[] = ['raw', 'floor', 'ferry', ...(OTHER_CLI ? (['other'] as const) : []), 'embed', 'fii', 'sdk'];
const picked = process.env.FERRY_BENCH_VARIANTS?.split(',').map((v) => v.trim());
const VARIANTS: readonly Variant[] = picked ? ALL.filter((v) => picked.includes(v)) : ALL;
const LABELS: Record<Variant, string> = {
  raw: 'raw PUT (ceiling)',
  floor: 'protocol floor (MD5 per part, 1 write)',
  ferry: 'Ferry CLI → local cloud process',
  other: "another build's CLI → local cloud process",
  embed: 'Ferry CLI, embedded local cloud',
  fii: 'Ferry CLI --intelligent → local cloud',
  sdk: 'filestack-js → local cloud process',
};

/** One measured run: wall seconds, client and server CPU seconds (server NaN when it is inside the client). */
type Sample = { seconds: number; clientCpu: number; serverCpu: number; intact: boolean };
type Source = { file: string; bytes: number; md5: string };

/** Checks what the local cloud stored for `handle`: its record always, the bytes themselves when `deep`. */
async function intact(cloudDir: string, handle: unknown, src: Source, deep: boolean): Promise<boolean> {
  const record = typeof handle === 'string' ? await storedRecord(cloudDir, handle) : null;
  // The record's MD5 is the blob's own hash when the cloud kept none (storedRecord), so `deep` is implied then.
  if (!record || record.size !== src.bytes || record.md5 !== src.md5) return false;
  return !deep || (await md5File(path.join(cloudDir, 'files', handle as string))) === src.md5;
}

async function withServer(start: Promise<ServerChild | null>, run: (s: ServerChild) => Promise<ChildRun & { ok: boolean }>): Promise<Sample> {
  const server = await start;
  if (server === null) throw new Error('the server did not start');
  let result: ChildRun & { ok: boolean };
  try {
    result = await run(server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const cpu = await server.stop();
  return { seconds: result.seconds, clientCpu: result.cpuSeconds, serverCpu: cpu.cpuSeconds, intact: result.ok && result.code === 0 };
}

/** The handle of the one file a `ferry upload --json` run reports, or null. */
function ferryHandle(run: ChildRun): string | null {
  const line = jsonLines(run.stdout).find((l) => l.state === 'done');
  return typeof line?.url === 'string' ? (line.url.split('/').pop() ?? null) : null;
}

async function runOne(v: Variant, src: Source, scratch: string, deep: boolean): Promise<Sample | { skipped: string }> {
  await mkdir(scratch, { recursive: true });
  const cloudDir = path.join(scratch, 'cloud');
  const data = path.join(scratch, 'ferry');
  switch (v) {
    case 'raw':
      return withServer(startServer([path.join(PROCS, 'raw-server.mjs')], PORT_READY), async (s) => {
        const run = await runNode([path.join(PROCS, 'raw-client.mjs'), src.file, s.match[1] ?? '']);
        return { ...run, ok: true };
      });
    case 'floor': {
      const out = path.join(scratch, 'floor.bin');
      return withServer(startServer([path.join(PROCS, 'floor-server.mjs'), out], PORT_READY), async (s) => {
        const run = await runNode([path.join(PROCS, 'floor-client.mjs'), src.file, s.match[1] ?? '']);
        return { ...run, ok: !deep || (await md5File(out)) === src.md5 };
      });
    }
    case 'ferry':
    case 'other':
    case 'fii':
      return withServer(startCloud(cloudDir, 0, v === 'fii' ? ['--fii'] : []), async (s) => {
        const run = await runNode([v === 'other' ? (OTHER_CLI as string) : CLI, 'upload', src.file, '--json', '--data', data, '--local-cloud', s.match[1] ?? '', ...(v === 'fii' ? ['--intelligent'] : [])]);
        return { ...run, ok: await intact(cloudDir, ferryHandle(run), src, deep) };
      });
    case 'embed': {
      const run = await runNode([CLI, 'upload', src.file, '--json', '--data', data]);
      const ok = run.code === 0 && (await intact(path.join(data, 'localcloud'), ferryHandle(run), src, deep));
      return { seconds: run.seconds, clientCpu: run.cpuSeconds, serverCpu: Number.NaN, intact: ok };
    }
    case 'sdk': {
      const server = await startCloud(cloudDir, 80, ['--apikey', SDK_APIKEY]);
      if (server === null) return { skipped: PORT_80_SKIP };
      let run: ChildRun;
      try {
        run = await runNode([path.join(PROCS, 'sdk-upload.mjs'), SDK_APIKEY, src.file]);
      } catch (err) {
        await server.stop();
        throw err;
      }
      const cpu = await server.stop();
      const ok = run.code === 0 && (await intact(cloudDir, jsonLines(run.stdout)[0]?.handle, src, deep));
      return { seconds: run.seconds, clientCpu: run.cpuSeconds, serverCpu: cpu.cpuSeconds, intact: ok };
    }
  }
}

export const transferBench: BenchModule = {
  name: 'transfer',
  async run(dir) {
    const bytes = SIZE_MB * MIB;
    const file = await makeFile(dir, bytes);
    const src: Source = { file, bytes, md5: await md5File(file) };
    console.log(`transfer: ${SIZE_MB} MiB, ${RUNS} interleaved rounds of ${VARIANTS.join(', ')}`);
    const { samples, skipped, failed } = await interleaved(dir, VARIANTS, RUNS, (v, round, scratch) => runOne(v, src, scratch, round === 1), (s) => `${(SIZE_MB / s.seconds).toFixed(1).padStart(6)} MB/s`);
    const gib = bytes / GIB;
    const mbps = (v: Variant) => spread((samples.get(v) ?? []).map((s) => SIZE_MB / s.seconds));
    const rows: Row[] = [];
    for (const v of VARIANTS) {
      const reason = skipped.get(v);
      if (reason !== undefined) {
        rows.push({ label: LABELS[v], value: `skipped: ${reason}` });
        continue;
      }
      const list = samples.get(v) ?? [];
      const speed = mbps(v);
      const client = spread(list.map((s) => s.clientCpu / gib));
      const server = spread(list.map((s) => s.serverCpu / gib));
      const cpu = v === 'embed' ? `CPU-s/GiB ${client.median.toFixed(1)} (both sides, one process)` : `CPU-s/GiB client ${client.median.toFixed(1)}, server ${server.median.toFixed(1)}`;
      rows.push({ label: LABELS[v], value: `${fmt(speed)} MB/s; ${cpu}`, key: `${v}_MBps`, n: speed.median });
      rows.push({ label: '', value: '', key: `lower:${v}_cpu_client_s_per_GiB`, n: client.median });
      if (v !== 'embed') rows.push({ label: '', value: '', key: `lower:${v}_cpu_server_s_per_GiB`, n: server.median });
    }
    // Two views of each ratio: of the medians, and the median of the per-round ratios (min–max). The
    // rounds are interleaved, so a pair ran seconds apart under the same load; on a shared machine
    // whose load drifts between rounds the paired figure is the steadier one. Both are printed.
    const ratio = (a: Variant, b: Variant, label: string, key: string): void => {
      const x = mbps(a).median;
      const y = mbps(b).median;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      const as = samples.get(a) ?? [];
      const bs = samples.get(b) ?? [];
      const paired = spread(as.slice(0, bs.length).map((s, i) => (bs[i] as { seconds: number }).seconds / s.seconds));
      rows.push({ label: `    ratio ${label}`, value: `${(x / y).toFixed(2)} of medians; per round ${fmt(paired, 2)}`, key, n: x / y });
    };
    ratio('floor', 'raw', 'floor / raw', 'floor_vs_raw');
    ratio('ferry', 'floor', 'Ferry user path / floor (goal ≥ 0.9)', 'ferry_vs_floor');
    ratio('other', 'floor', 'other build / floor', 'other_vs_floor');
    ratio('ferry', 'other', 'this build / other build', 'ferry_vs_other');
    ratio('embed', 'floor', 'Ferry embedded / floor', 'embed_vs_floor');
    ratio('ferry', 'sdk', 'Ferry / filestack-js (goal ≥ 1.4)', 'ferry_vs_filestack_js');
    ratio('fii', 'ferry', 'intelligent / regular (goal ≥ 0.9)', 'fii_vs_regular');
    return { rows, failed };
  },
};
