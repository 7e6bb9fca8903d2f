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
  const dir = path.join(ROOT, 'node_modules', '.cache', 'ferry-test-cli');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `cli-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  await build({
    entryPoints: [path.join(ROOT, 'src-main/hosts/cli/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    outfile: file,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  return { file, remove: () => rm(file, { force: true }) };
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
