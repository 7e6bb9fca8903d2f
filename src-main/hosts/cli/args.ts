import { isDestinationKind } from '../../../src-shared/model/destination-kinds.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import { DEFAULT_RETRY_POLICY } from '../../engine/retry.js';

/** A parsed `ferry` command line. */
export type CliCommand =
  | { readonly kind: 'upload'; readonly files: string[]; readonly to: DestinationKind; readonly intelligent: boolean; readonly common: CliCommon }
  | { readonly kind: 'resume'; readonly common: CliCommon }
  | { readonly kind: 'status'; readonly common: CliCommon }
  | { readonly kind: 'pause'; readonly common: CliCommon }
  | { readonly kind: 'help' };

export type CliCommon = {
  readonly json: boolean;
  /** Data folder; null = the app's default (FERRY_DATA_DIR or the per-user config folder). */
  readonly dataDir: string | null;
  /** An already running local cloud to use instead of starting one (FERRY_LOCAL_CLOUD_URL). */
  readonly localCloudUrl: string | null;
  /** Retries per file after the first attempt (--retries); null = the engine's default. */
  readonly retries: number | null;
};

export const USAGE = `Usage: npm run ferry -- <command> [options]

When Ferry is running, ferry hands the work to it (same queue, same local cloud, same journal);
otherwise it runs the engine itself until the command ends.

Commands:
  upload FILES…   upload files or folders and wait until each is done or has finally failed
  resume          finish the unfinished uploads (and uploads a killed ferry never queued)
  status          list the jobs with bytes sent and percent
  pause           pause the waiting and running uploads

Options:
  --to local|filestack|imagekit   destination (default local; keys come from FERRY_* variables)
  --intelligent                   Filestack Intelligent Ingestion
  --json                          one JSON line per file: {file, state, url?, error?}
  --data DIR                      data folder (default FERRY_DATA_DIR or the per-user folder)
  --local-cloud URL               use a running local cloud (default FERRY_LOCAL_CLOUD_URL, else start one)
  --retries N                     retries per file after the first attempt (default ${DEFAULT_RETRY_POLICY.maxRetries})
`;

/** Thrown for a command line we cannot run; main prints it with the usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` (without node and the script). Flags take `--flag value` or `--flag=value`;
 * unknown flags are errors, so a typo never uploads somewhere unexpected.
 */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): CliCommand {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { kind: 'help' };
  if (name !== 'upload' && name !== 'resume' && name !== 'status' && name !== 'pause') throw new UsageError(`Unknown command: ${name}`);
  const files: string[] = [];
  let to: DestinationKind = 'local';
  let intelligent = false;
  let json = false;
  let dataDir: string | null = null;
  let localCloudUrl: string | null = env.FERRY_LOCAL_CLOUD_URL?.trim() || null;
  let retries: number | null = null;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (arg === '--') {
      files.push(...rest.slice(i + 1));
      break;
    }
    if (flag === '--json') json = true;
    else if (flag === '--intelligent') intelligent = true;
    else if (flag === '--data') dataDir = value();
    else if (flag === '--local-cloud') localCloudUrl = value();
    else if (flag === '--retries') {
      const v = value();
      if (!/^\d{1,3}$/.test(v) || Number(v) > 100) throw new UsageError('--retries must be a whole number from 0 to 100');
      retries = Number(v);
    }
    else if (flag === '--to') {
      const v = value();
      if (!isDestinationKind(v)) throw new UsageError('--to must be local, filestack or imagekit');
      to = v;
    } else if (flag.startsWith('--')) throw new UsageError(`Unknown option: ${arg}`);
    else files.push(arg);
  }
  if (localCloudUrl !== null && !/^https?:\/\//.test(localCloudUrl)) throw new UsageError('--local-cloud must be an http(s) URL');
  const common: CliCommon = { json, dataDir, localCloudUrl, retries };
  if (name === 'upload') {
    if (files.length === 0) throw new UsageError('upload needs at least one file');
    return { kind: 'upload', files, to, intelligent, common };
  }
  if (files.length > 0) throw new UsageError(`${name} takes no files`);
  if (intelligent || to !== 'local') throw new UsageError(`--to and --intelligent only apply to upload`);
  return { kind: name, common };
}
