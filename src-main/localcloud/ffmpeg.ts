/**
 * Spawns ffmpeg (never through a shell: arguments are passed as an array, so file names and
 * parameters cannot inject commands) and reports failures as typed errors.
 */
import { spawn } from 'node:child_process';

/** Default binary; resolved through PATH by spawn. */
export const DEFAULT_FFMPEG = 'ffmpeg';

/** Why ffmpeg did not produce an output. */
export type FfmpegFailure = 'missing' | 'failed' | 'aborted';

/** A typed ffmpeg error; `kind: 'missing'` means the binary could not be started at all. */
export class FfmpegError extends Error {
  constructor(
    readonly kind: FfmpegFailure,
    message: string,
    /** Last lines of ffmpeg's stderr (for logs), empty when it never ran. */
    readonly stderrTail = '',
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export type RunFfmpegOptions = {
  /** Path or name of the ffmpeg binary; default `ffmpeg` from PATH. */
  readonly binary?: string;
  readonly signal?: AbortSignal;
};

/** Keeps only the end of stderr: ffmpeg prints a banner and progress we do not need. */
const STDERR_TAIL_BYTES = 4000;

/**
 * Runs `ffmpeg <args>` and resolves when it exits 0. A missing binary (ENOENT/EACCES) rejects
 * with FfmpegError('missing') naming the binary, a non-zero exit with FfmpegError('failed').
 */
export function runFfmpeg(args: readonly string[], opts: RunFfmpegOptions = {}): Promise<void> {
  const binary = opts.binary ?? DEFAULT_FFMPEG;
  return new Promise<void>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new FfmpegError('aborted', 'The conversion was canceled.'));
      return;
    }
    // -nostdin: ffmpeg would otherwise read keystrokes from an inherited stdin.
    const child = spawn(binary, ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const done = (err: FfmpegError | null): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        done(new FfmpegError('missing', `ffmpeg is not available: could not start "${binary}" (${err.code}). Install ffmpeg or set the ffmpeg path.`));
      } else done(new FfmpegError('failed', `ffmpeg could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (opts.signal?.aborted) done(new FfmpegError('aborted', 'The conversion was canceled.', tail));
      else if (code === 0) done(null);
      else {
        const last = tail.trim().split('\n').slice(-3).join(' | ');
        done(new FfmpegError('failed', `ffmpeg exited with ${code ?? signal}: ${last || 'no error output'}`, tail));
      }
    });
  });
}
