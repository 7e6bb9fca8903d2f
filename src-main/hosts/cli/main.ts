import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toAppError } from '../../../src-shared/errors.js';
import { onStopSignals } from '../stop-signals.js';
import { parseCliArgs, USAGE, UsageError, type CliCommand } from './args.js';
import { dataDirOf, type CliEnv } from './env.js';
import { jsonReporter, plainReporter, ttyReporter, type Reporter } from './output.js';

/**
 * `ferry` on the command line: the same createApp/engine as the desktop app, for headless
 * machines and scripts. Exit codes: 0 all files uploaded (or already were), 1 some file failed
 * or a command error, 2 bad command line, 130 interrupted (jobs stay resumable).
 */
export async function runCli(argv: readonly string[], env = process.env): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(argv, env);
  } catch (thrown) {
    if (!(thrown instanceof UsageError)) throw thrown;
    process.stderr.write(`ferry: ${thrown.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const c = command.common;
  const reporter: Reporter = c.json ? jsonReporter(process.stdout, process.stderr) : process.stdout.isTTY ? ttyReporter(process.stdout) : plainReporter(process.stdout);
  let onSignal: () => void = () => {};
  const interrupted = new Promise<void>((resolve) => (onSignal = resolve));
  // First Ctrl-C: stop cleanly (jobs stay resumable); a second one: now.
  const offSignals = onStopSignals(onSignal, () => process.exit(130));
  const io: CliEnv = { env, reporter, interrupted };
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    // Loaded only now, so `--help` and a bad command line never load the engine, SQLite or sharp.
    switch (command.kind) {
      case 'upload': {
        // The paths asked for are on disk before the engine (or the app) is even reached.
        const { recordIntent } = await import('../instance/intents.js');
        const paths = command.files.map((f) => path.resolve(f));
        const intent = await recordIntent(dataDirOf(c, env), paths, command.to);
        return await (await import('./commands.js')).uploadCommand(c, intent, command.intelligent, io);
      }
      case 'resume':
        return await (await import('./commands.js')).resumeCommand(c, io);
      case 'status':
        return await (await import('./journal-commands.js')).statusCommand(c, io, write);
      case 'pause':
        return await (await import('./journal-commands.js')).pauseCommand(c, io, write);
    }
  } catch (thrown) {
    const error = toAppError(thrown);
    if (c.json) process.stdout.write(`${JSON.stringify({ error: error.message, code: error.code })}\n`);
    else process.stderr.write(`ferry: ${error.message}\n`);
    return 1;
  } finally {
    offSignals();
  }
}

// Run only as the entry point (tests import runCli); the bundle (dist/main/cli.js) is one too.
if (isEntryPoint()) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (thrown: unknown) => {
      process.stderr.write(`ferry: ${String(thrown)}\n`);
      process.exitCode = 1;
    },
  );
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
