import fs from 'node:fs';
import path from 'node:path';
import { appError, FerryError, type AppError } from '../../src-shared/errors.js';
import {
  DEFAULT_TRANSFER_SETTINGS,
  transferSettingsPatchSchema,
  transferSettingsSchema,
  type TransferSettings,
  type TransferSettingsPatch,
} from '../../src-shared/model/transfer-settings.js';
import type { Clock, Logger } from './ports.js';

/** The settings file's name inside the data dir. */
export const SETTINGS_FILE = 'settings.json';

/** Transfer settings kept as JSON under the data dir. */
export type SettingsStore = {
  get(): TransferSettings;
  /** Validates, writes atomically, then notifies listeners. Throws `bad_request` for bad values. */
  set(patch: unknown): TransferSettings;
  /** Called after every successful change. Returns an unsubscribe function. */
  onChange(listener: (settings: TransferSettings) => void): () => void;
  /** Set when the file on disk was unreadable at startup and moved aside. */
  readonly recovered: { readonly movedTo: string; readonly error: AppError } | null;
};

const systemClock: Clock = { now: () => Date.now() };

/**
 * Opens `<dir>/settings.json`. Never throws at startup: a missing file gives the defaults, and a
 * truncated, non-JSON or wrong-schema file is moved aside (kept for the user) and the defaults
 * are used (reliability matrix row 8). Writes go to a temp file, are fsynced and renamed over,
 * so a crash leaves either the old or the new file, never half of one.
 */
export function openSettings(opts: { dir: string; logger: Logger; clock?: Clock }): SettingsStore {
  const file = path.join(opts.dir, SETTINGS_FILE);
  const clock = opts.clock ?? systemClock;
  const listeners = new Set<(s: TransferSettings) => void>();
  const loaded = load(file, opts.logger, clock);
  let current = loaded.settings;
  return {
    recovered: loaded.recovered,
    get: () => current,
    set(patch) {
      const parsed = transferSettingsPatchSchema.safeParse(patch);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new FerryError(
          appError('bad_request', `Invalid settings: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`, { retryable: false }),
        );
      }
      const next = merge(current, parsed.data);
      writeAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
      current = next;
      for (const listener of listeners) {
        try {
          listener(current);
        } catch (thrown) {
          opts.logger.error('settings listener threw', { error: String(thrown) });
        }
      }
      return current;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function merge(base: TransferSettings, patch: TransferSettingsPatch): TransferSettings {
  const out: Record<string, unknown> = { ...base };
  // Only defined values: `{fileConcurrency: undefined}` means "leave it".
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = v;
  return transferSettingsSchema.parse(out);
}

function load(file: string, logger: Logger, clock: Clock): { settings: TransferSettings; recovered: SettingsStore['recovered'] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (thrown) {
    const code = (thrown as { code?: unknown }).code;
    if (code !== 'ENOENT') logger.warn('settings: unreadable, using defaults', { code: typeof code === 'string' ? code : 'unknown' });
    return { settings: DEFAULT_TRANSFER_SETTINGS, recovered: null };
  }
  const reason = invalidReason(text);
  if (reason === null) return { settings: transferSettingsSchema.parse(JSON.parse(text)), recovered: null };
  let movedTo: string;
  try {
    movedTo = moveAside(file, clock);
  } catch (thrown) {
    logger.error('settings: bad file could not be moved aside', { error: String(thrown) });
    return { settings: DEFAULT_TRANSFER_SETTINGS, recovered: null };
  }
  logger.error('settings: bad settings file moved aside, using defaults', { movedTo, reason });
  const error = appError('integrity', `The settings file was unreadable (${reason}); it was kept as ${movedTo} and defaults are used.`, {
    retryable: false,
    details: { path: movedTo },
  });
  return { settings: DEFAULT_TRANSFER_SETTINGS, recovered: { movedTo, error } };
}

/** Why the file's text is not valid settings, or null when it is. Never echoes the content. */
function invalidReason(text: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = transferSettingsSchema.safeParse(raw);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function moveAside(file: string, clock: Clock): string {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${stamp}`;
  for (let i = 1; fs.existsSync(target); i++) target = `${file}.corrupt-${stamp}-${i}`;
  fs.renameSync(file, target);
  return target;
}

/** temp + fsync + rename (+ directory fsync where the platform allows it). */
function writeAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  try {
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (thrown) {
    fs.rmSync(temp, { force: true });
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    throw new FerryError(appError('internal', `Could not save the settings: ${message}`, { retryable: false }));
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}
