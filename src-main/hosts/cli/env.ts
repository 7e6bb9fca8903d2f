import path from 'node:path';
import { defaultDataDir } from '../data-dir.js';
import type { CliCommon } from './args.js';
import type { Reporter } from './output.js';

/** What a command needs from the outside world; main.ts passes the real process's. */
export type CliEnv = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly reporter: Reporter;
  /** Resolves when the user asks to stop (Ctrl-C); the run then closes the app, jobs stay resumable. */
  readonly interrupted: Promise<void>;
};

/** The data folder a command works on, absolute (it names the instance lock too). */
export const dataDirOf = (c: CliCommon, env: CliEnv['env']): string => path.resolve(c.dataDir ?? defaultDataDir(env));
