/** Shared pieces of the benchmark modules: the module shape, test files, child processes, medians. */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_DIR, '..');

/** One printed line (none when `label` is empty); with `key` and `n` also a figure kept for the next run's comparison (`lower:` keys: lower is better). */
export type Row = { readonly label: string; readonly value: string; readonly key?: string; readonly n?: number };
export type ModuleResult = { readonly rows: Row[]; readonly failed?: boolean; readonly notes?: string[] };

/** A benchmark module: run.ts runs each in turn in a scratch folder of its own. */
export type BenchModule = { readonly name: string; run(dir: string): Promise<ModuleResult> };

/**
 * A module from a bench written as `(dir, row) => failed`, where `row(label, value, key?, n?)`
 * prints one line (the style of bench/render-memory.ts).
 */
export function rowsModule(name: string, bench: (dir: string, row: (label: string, value: string, key?: string, n?: number) => void) => Promise<boolean>): BenchModule {
  return {
    name,
    async run(dir) {
      const rows: Row[] = [];
      const failed = await bench(dir, (label, value, key, n) => rows.push({ label, value, ...(key !== undefined && n !== undefined ? { key, n } : {}) }));
      return { rows, failed };
    },
  };
}

/** Writes `bytes` of random data (4 MiB blocks, so even big files take little memory). */
export async function makeFile(dir: string, bytes: number, name = 'bench.bin'): Promise<string> {
  const file = path.join(dir, name);
  const fh = await open(file, 'w');
  const block = randomBytes(4 * MIB);
  for (let written = 0; written < bytes; written += block.length) await fh.write(block, 0, Math.min(block.length, bytes - written));
  await fh.close();
  return file;
}

export async function md5File(file: string): Promise<string> {
  const h = createHash('md5');
  await pipeline(createReadStream(file, { highWaterMark: MIB }), h);
  return h.digest('hex');
}

/** A finished child: wall time from spawn to exit, its own CPU time (all threads) and peak RSS. */
export type ChildRun = { seconds: number; cpuSeconds: number; maxRssMiB: number; code: number | null; stdout: string; stderr: string };

/** `node --import cpu-report.mjs <args>`: the CPU report is written by the child itself on exit. */
export async function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  const report = path.join(ROOT, 'node_modules', '.cache', `bench-cpu-${process.pid}-${randomBytes(4).toString('hex')}.json`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', path.join(BENCH_DIR, 'procs', 'cpu-report.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, FERRY_LOCAL_CLOUD_URL: '', ...env, FERRY_BENCH_CPU_FILE: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as { cpuSeconds?: number; maxRssKiB?: number };
  await rm(report, { force: true });
  return { seconds, cpuSeconds: cpu.cpuSeconds ?? Number.NaN, maxRssMiB: (cpu.maxRssKiB ?? Number.NaN) / 1024, code, stdout, stderr };
}

/** CPU seconds a running process (all its threads) has used so far, from /proc. */
async function procCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A server child: the first stdout line matching `ready` is its address; `stop()` gives the CPU it used after that line. */
export type ServerChild = { readonly match: RegExpExecArray; stop(): Promise<{ cpuSeconds: number }> };

export async function startServer(args: readonly string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<ServerChild> {
  const child = spawn(process.execPath, [...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = ready.exec(line);
      if (m) resolve(m);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server ${args.join(' ')} exited (${code}) before it was ready: ${stderr.slice(0, 400)}`)));
  });
  const pid = child.pid ?? 0;
  const startCpu = await procCpuSeconds(pid);
  return {
    match,
    async stop() {
      const cpuSeconds = (await procCpuSeconds(pid)) - startCpu;
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      child.kill('SIGTERM');
      await closed;
      lines.close();
      return { cpuSeconds };
    },
  };
}

/** Rounds of variants run one of each per round (so machine load hits them alike), each in its own scratch folder. */
export async function interleaved<V extends string, S extends { intact: boolean }>(
  dir: string,
  variants: readonly V[],
  rounds: number,
  runOne: (v: V, round: number, scratch: string) => Promise<S | { skipped: string }>,
  describe: (s: S) => string,
): Promise<{ samples: Map<V, S[]>; skipped: Map<V, string>; failed: boolean }> {
  const samples = new Map<V, S[]>(variants.map((v) => [v, []]));
  const skipped = new Map<V, string>();
  let failed = false;
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      if (skipped.has(v)) continue;
      const scratch = path.join(dir, `${v}-${round}`);
      const got = await runOne(v, round, scratch);
      await rm(scratch, { recursive: true, force: true });
      if ('skipped' in got) {
        skipped.set(v, got.skipped);
        continue;
      }
      failed ||= !got.intact;
      samples.get(v)?.push(got);
      process.stdout.write(`  round ${round} ${v.padEnd(5)} ${describe(got)}${got.intact ? '' : '  NOT INTACT'}\n`);
    }
  }
  return { samples, skipped, failed };
}

/** The built local cloud in its own process on `port` (80 is retried a few times: another bench may hold it). */
export async function startCloud(dataDir: string, port: number, extra: readonly string[] = []): Promise<ServerChild | null> {
  for (let i = 0; i < (port === 80 ? 5 : 1); i++) {
    const server = await startServer([path.join(ROOT, 'dist', 'main', 'localcloud.js'), '--port', String(port), '--data', dataDir, ...extra], /listening on (http:\/\/\S+)/).catch(() => null);
    if (server) return server;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return null;
}

/** Why a port-80 server could not be had (filestack-js needs one). */
export const PORT_80_SKIP = 'port 80 is taken or not allowed (filestack-js drops explicit ports)';

/** Median, min and max of some figures. */
export type Spread = { median: number; min: number; max: number };

export function spread(values: readonly number[]): Spread {
  const s = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number };
}

/** "123.4 (110.2–130.9)": a median with its range. */
export function fmt(s: Spread, digits = 1): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** The JSON lines a child printed. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The stored-file record the local cloud keeps beside a blob, or null. */
export async function storedRecord(cloudDataDir: string, handle: string): Promise<{ size: number; md5: string } | null> {
  try {
    const record = JSON.parse(await readFile(path.join(cloudDataDir, 'files', `${handle}.json`), 'utf8')) as { size: number; md5?: string };
    // A multipart upload stores no MD5 until someone asks (the local cloud hashes lazily): hash the blob here, outside any timed run.
    return { size: record.size, md5: record.md5 ?? (await md5File(path.join(cloudDataDir, 'files', handle))) };
  } catch {
    return null;
  }
}
