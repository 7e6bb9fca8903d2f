import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the CLI once per test file (esbuild, ~0.3 s) so child processes start in a fraction of
 * the time tsx needs to compile the app on every spawn. The bundle lives under node_modules/.cache
 * inside the repo so its bare imports (better-sqlite3, zod…) resolve like the app's.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function bundleCli(): Promise<{ file: string; remove: () => Promise<void> }> {
  // One folder per bundle: the embedded local cloud's worker is looked for beside the CLI.
  const dir = path.join(ROOT, 'node_modules', '.cache', 'ferry-test-cli', `${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'cli.mjs');
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning', absWorkingDir: ROOT } as const;
  await Promise.all([
    build({ ...common, entryPoints: [path.join(ROOT, 'src-main/hosts/cli/main.ts')], outfile: file }),
    build({ ...common, entryPoints: [path.join(ROOT, 'src-main/hosts/local-cloud-worker.ts')], outfile: path.join(dir, 'localcloud-worker.js') }),
  ]);
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type ChildResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs the bundled CLI; `onSpawn` gets a SIGKILL switch (the kill test) and the pid (memory readings). */
export function runCliChild(
  bundle: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; onSpawn?: (kill: () => void, pid: number | undefined) => void } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: ROOT,
      env: { ...process.env, FERRY_LOCAL_CLOUD_URL: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(() => child.kill('SIGKILL'), child.pid);
  });
}

/** The JSON lines of a `--json` run. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
