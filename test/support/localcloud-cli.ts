/** Helpers for tests that run `npm run localcloud` (src-main/localcloud/cli.ts) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';

/** `node` arguments that run the CLI from source. */
export const LOCALCLOUD_CLI = ['--import', 'tsx', 'src-main/localcloud/cli.ts'] as const;

/** Starts the CLI in its own process group, output piped. */
export function spawnLocalCloud(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, [...LOCALCLOUD_CLI, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
}

/** Signals the whole process group, so nothing the CLI started outlives the test. */
export function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves with the printed base URL (http or https) once the banner line starting `until` is out. */
export function waitForUrl(proc: ChildProcess, until = 'apikey:'): Promise<{ url: string; lines: string[]; out: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`CLI did not print its URL; got: ${out}`)), 45_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /Ferry local cloud listening on (https?:\/\/127\.0\.0\.1(?::\d+)?)\n/.exec(out);
      if (m?.[1] && out.includes(until) && out.slice(out.indexOf(until)).includes('\n')) {
        clearTimeout(timer);
        resolve({ url: m[1], lines: out.split('\n'), out });
      }
    });
    proc.on('exit', (code) => reject(new Error(`CLI exited early (${code}): ${out}`)));
  });
}
