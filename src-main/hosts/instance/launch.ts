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
 * Ferry, prints where that one is, and returns the exit code (0 handed over, 1 refused).
 */
export async function handToRunning(client: InstanceClient, files: readonly string[], port: number, print: (line: string) => void): Promise<number> {
  try {
    const result = await client.call('instance:open', { files, ...(port !== 0 ? { port } : {}) });
    if (!result.ok) {
      print(`Ferry is already running, but it did not take this launch: ${result.error.message}`);
      return 1;
    }
    const answer = instanceChannels['instance:open'].response.parse(result.value);
    print(`Ferry is already running: ${answer.url ?? 'its window is in front'}`);
    if (files.length > 0) print(`Handed it ${answer.jobIds.length} file(s) to upload.`);
    for (const s of answer.skipped) print(`Skipped ${s.path}: ${s.reason}`);
    if (answer.note) print(answer.note);
    return 0;
  } finally {
    client.close();
  }
}
