/**
 * (h) How fast `ferry` starts: wall time to print `--help`, median of several runs, for the
 * built bundle, the `npm run ferry` launcher script without npm, and `npm run ferry` itself,
 * beside a bare `node -e 0` (the floor on this machine). Issue 11 asks for under 1 s.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.FERRY_BENCH_CLI_RUNS ?? 7);

export type CliStart = { nodeMs: number; bundleMs: number; launcherMs: number; npmMs: number };

function medianMs(command: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

/** Measures; the bundle must be built (npm run bench builds first). */
export function benchCliStart(): CliStart {
  const node = process.execPath;
  return {
    nodeMs: medianMs(node, ['-e', '0']),
    bundleMs: medianMs(node, [path.join(root, 'dist', 'main', 'cli.js'), '--help']),
    launcherMs: medianMs(node, [path.join(root, 'scripts', 'ferry.mjs'), '--help']),
    npmMs: medianMs(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'ferry', '--', '--help']),
  };
}

/** Prints the rows through run.ts's `row` and returns whether the 1 s goal was met by the launcher. */
export function reportCliStart(row: (label: string, value: string, key?: string, n?: number) => void): boolean {
  const s = benchCliStart();
  row('(h) node -e 0 (floor)', `${s.nodeMs.toFixed(0)} ms`);
  row('(h) ferry --help: node dist/main/cli.js', `${s.bundleMs.toFixed(0)} ms`, 'lower:cli_help_bundle_ms', s.bundleMs);
  row('(h) ferry --help: node scripts/ferry.mjs', `${s.launcherMs.toFixed(0)} ms`, 'lower:cli_help_launcher_ms', s.launcherMs);
  row('(h) ferry --help: npm run ferry', `${s.npmMs.toFixed(0)} ms (npm itself adds ${(s.npmMs - s.launcherMs).toFixed(0)} ms)`, 'lower:cli_help_npm_ms', s.npmMs);
  return s.launcherMs < 1000;
}
