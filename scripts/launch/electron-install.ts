import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstallOutcome } from './decide.js';

/**
 * Runs Electron's own installer (node_modules/electron/install.js, which fetches the binary with
 * @electron/get, checks it against checksums.json and unpacks it) in a child process, with a
 * progress line and two timeouts. We do not reimplement the download: install.js knows the
 * mirror and cache variables, the checksums and the extraction.
 */

export type InstallOptions = {
  /** The `electron` package folder (holds install.js, path.txt and, once installed, dist/). */
  readonly electronDir: string;
  /** Environment for the installer (ELECTRON_MIRROR, electron_config_cache, proxies…). */
  readonly env?: NodeJS.ProcessEnv;
  /** Give up when no byte arrived for this long (ms). */
  readonly stallMs?: number;
  /** Give up after this long in all (ms). */
  readonly totalMs?: number;
  /** How often the progress line is refreshed (ms). */
  readonly tickMs?: number;
  /** Receives progress lines; on a terminal the caller redraws one line. */
  readonly progress?: (line: string) => void;
};

const DEFAULT_STALL_MS = 30_000;
const DEFAULT_TOTAL_MS = 15 * 60_000;

/** The binary install.js recorded in path.txt, if it is there and matches the package version. */
export function installedElectronBinary(electronDir: string): string | null {
  try {
    const relative = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
    const version = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version?: string }).version;
    const installed = readFileSync(join(electronDir, 'dist', 'version'), 'utf8').trim().replace(/^v/, '');
    const binary = join(electronDir, 'dist', relative);
    return relative !== '' && installed === version && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Electron's version, for the progress line. */
function electronVersion(electronDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

/** Bytes of the archive being downloaded: @electron/get writes it under the temp folder we hand it. */
async function downloadedBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.zip')) continue;
    total += await stat(join(entry.parentPath, entry.name)).then((s) => s.size, () => 0);
  }
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The last meaningful line the installer printed (its stack trace starts with the message). */
function lastError(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at '));
  const line = lines.find((l) => /error|failed|refused|not found|response code/i.test(l)) ?? lines[lines.length - 1] ?? 'the installer gave no reason';
  // undici says only "fetch failed" when DNS or the connection fails: put it in words.
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH/.test(line)) return 'the download server could not be reached (is there a network?).';
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

/**
 * Downloads and unpacks Electron once. Resolves (never rejects) with the binary or the reason it
 * failed: the installer's own message, "no data for 30 s", or "took longer than 15 min".
 */
export async function installElectron(opts: InstallOptions): Promise<InstallOutcome> {
  const script = join(opts.electronDir, 'install.js');
  if (!existsSync(script)) return { ok: false, reason: `Electron's installer is missing (${script}).` };
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const totalMs = opts.totalMs ?? DEFAULT_TOTAL_MS;
  const say = opts.progress ?? (() => undefined);
  // A private temp folder: the partial archive in it is our progress gauge.
  const temp = await mkdtemp(join(tmpdir(), 'ferry-electron-'));
  const version = electronVersion(opts.electronDir);
  const env = { ...(opts.env ?? process.env), TMPDIR: temp, TEMP: temp, TMP: temp, ELECTRON_GET_NO_PROGRESS: '1' };
  const child = spawn(process.execPath, [script], { cwd: opts.electronDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));

  const started = Date.now();
  let lastBytes = 0;
  /** The archive leaves the temp folder once complete (into the cache); keep the most seen. */
  let peakBytes = 0;
  let lastChange = started;
  let giveUp: string | null = null;
  say(`Downloading Electron ${version} (once; about 100 MB)…`);
  const timer = setInterval(() => {
    void downloadedBytes(temp).then((bytes) => {
      const now = Date.now();
      // Once the archive has left the temp folder (into the cache) the installer is unpacking:
      // no more bytes will come, so only the total limit applies.
      const unpacking = peakBytes > 0 && bytes === 0;
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        peakBytes = Math.max(peakBytes, bytes);
        lastChange = now;
      }
      const seconds = Math.round((now - started) / 1000);
      say(unpacking ? `Unpacking Electron ${version}…` : `Downloading Electron ${version}: ${megabytes(peakBytes)} after ${seconds} s…`);
      if (giveUp !== null || child.exitCode !== null) return;
      if (!unpacking && now - lastChange > stallMs) giveUp = `no data arrived for ${Math.round(stallMs / 1000)} s`;
      else if (now - started > totalMs) giveUp = `it took longer than ${Math.round(totalMs / 60_000)} min`;
      if (giveUp !== null) child.kill('SIGTERM');
    });
  }, opts.tickMs ?? 1000);

  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  clearInterval(timer);
  await rm(temp, { recursive: true, force: true }).catch(() => undefined);
  if (giveUp !== null) return { ok: false, reason: `${giveUp}.` };
  if (code !== 0) return { ok: false, reason: lastError(output) };
  const binary = installedElectronBinary(opts.electronDir);
  if (binary === null) return { ok: false, reason: 'the installer finished but left no Electron binary.' };
  const fetched = peakBytes > 0 ? `${megabytes(peakBytes)} in ${Math.round((Date.now() - started) / 1000)} s` : 'from the download cache';
  say(`Electron ${version} is ready (${fetched}).`);
  return { ok: true, binary };
}
