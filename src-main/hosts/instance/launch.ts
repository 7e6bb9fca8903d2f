import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../engine/ports.js';
import type { InstanceClient } from './client.js';
import { instanceChannels } from './messages.js';

/** Before the app's own logger exists: problems to stderr, the rest nowhere. */
export const stderrLogger: Logger = {
  info: () => {},
  warn: (message, fields) => console.error(`Ferry: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`Ferry: ${message}`, fields ?? ''),
};

/**
 * A second launch: hands the files (absolute) and the `--port` it was given to the running
 * Ferry, prints where that one is, and returns the exit code (0 handed over, 1 refused) and
 * the running Ferry's URL (null: it has a window, not an address).
 */
export async function handToRunning(client: InstanceClient, files: readonly string[], port: number, print: (line: string) => void): Promise<{ code: number; url: string | null }> {
  try {
    const result = await client.call('instance:open', { files, ...(port !== 0 ? { port } : {}) });
    if (!result.ok) {
      print(`Ferry is already running, but it did not take this launch: ${result.error.message}`);
      return { code: 1, url: null };
    }
    const answer = instanceChannels['instance:open'].response.parse(result.value);
    print(`Ferry is already running: ${answer.url ?? 'its window is in front'}`);
    if (files.length > 0) print(`Handed it ${answer.jobIds.length} file(s) to upload.`);
    for (const s of answer.skipped) print(`Skipped ${s.path}: ${s.reason}`);
    if (answer.note) print(answer.note);
    return { code: 0, url: answer.url };
  } finally {
    client.close();
  }
}

/** What an Electron second launch passes to the first (requestSingleInstanceLock's additional data). */
export const launchDataSchema = z.object({ files: z.array(z.string().min(1).max(4096)).max(10_000) });
export type LaunchData = z.infer<typeof launchDataSchema>;

/** Ferry's own options that take a separate value (`--data DIR`): the value is not a file. */
const WITH_VALUE = new Set(['--data', '--port']);

/**
 * Files named on an Electron command line, absolute. `argv[0]` is the executable; started as
 * `electron <app>` (`defaultApp`) the app path follows it. Switches (`--no-sandbox`, Chromium's
 * own) and the values of `--data`/`--port` are not files; after `--` everything is.
 */
export function launchFiles(argv: readonly string[], defaultApp: boolean, cwd: string): string[] {
  const files: string[] = [];
  const rest = argv.slice(defaultApp ? 2 : 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      files.push(...rest.slice(i + 1));
      break;
    }
    if (WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) files.push(arg);
  }
  return files.map((f) => path.resolve(cwd, f));
}
