import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as ConfModule from 'conf';
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

/** The settings file's name inside the data dir (electron-store's `name` + `.json`). */
export const SETTINGS_FILE = 'settings.json';
const SETTINGS_NAME = 'settings';
/** conf's own bookkeeping key (migrations); never part of our schema. */
const CONF_INTERNAL_KEY = '__internal__';

/** Transfer settings and preferences, kept in the data dir through electron-store / conf. */
export type SettingsStore = {
  get(): TransferSettings;
  /** Validates, writes atomically, then notifies listeners. Throws `bad_request` for bad values. */
  set(patch: unknown): TransferSettings;
  /** Called after every successful change. Returns an unsubscribe function. */
  onChange(listener: (settings: TransferSettings) => void): () => void;
  /** Set when the file on disk was unreadable at startup and moved aside. */
  readonly recovered: { readonly movedTo: string; readonly error: AppError } | null;
};

/**
 * The part of `conf` the settings use. electron-store is a subclass of conf's `Conf`, so the
 * Electron host passes one of those (hosts/electron/settings-backing.ts) and every other host
 * (browser mode, CLI) uses conf itself: one file format, one writer (atomic: temp file, fsync,
 * rename, by conf's `atomically`).
 */
export interface SettingsBacking {
  /** The whole stored object: read from disk on get, written atomically on set. */
  store: Record<string, unknown>;
  readonly path: string;
}

/** Where and how the backing keeps its file: `<cwd>/<name>.json`, mode `fileMode`. */
export type SettingsBackingOptions = { readonly cwd: string; readonly name: string; readonly fileMode: number };
export type SettingsBackingFactory = (opts: SettingsBackingOptions) => SettingsBacking;

/**
 * conf where Electron is absent, created on the first change. conf pulls in ajv and semver
 * (0.3–0.8 s of a `ferry upload`'s start on a busy machine, more than the rest of the app), and
 * reading a flat JSON file needs none of it: the file is read here (an unreadable one throws
 * now, as conf's constructor would), and conf is loaded (synchronously, `require` of an ES
 * module, Node ≥ 20.19) only when a change must be written through its atomic writer.
 */
export function confBacking(): SettingsBackingFactory {
  return (o) => {
    const file = path.join(o.cwd, `${o.name}.json`);
    let read = readStoreFile(file);
    let conf: SettingsBacking | null = null;
    const open = (): SettingsBacking => {
      if (conf) return conf;
      const { default: Conf } = createRequire(import.meta.url)('conf') as typeof ConfModule;
      conf = new Conf<Record<string, unknown>>({
        cwd: o.cwd,
        configName: o.name,
        configFileMode: o.fileMode,
        // Keys are our field names, never paths; a corrupt file is ours to keep aside, not conf's to wipe.
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      });
      return conf;
    };
    return {
      path: file,
      get store() {
        return conf ? conf.store : read;
      },
      set store(next) {
        open().store = next;
        read = next;
      },
    };
  };
}

/** The stored object of a settings file: `{}` when there is none yet; other read errors throw. */
function readStoreFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (thrown) {
    if ((thrown as { code?: unknown }).code === 'ENOENT') return {};
    throw thrown;
  }
  const raw: unknown = JSON.parse(text);
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

export type OpenSettingsOptions = {
  readonly dir: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** electron-store in the Electron host; conf (see confBacking) by default. */
  readonly backing?: SettingsBackingFactory;
};

const systemClock: Clock = { now: () => Date.now() };

/**
 * Opens `<dir>/settings.json`. Never throws at startup: a missing file gives the defaults, and a
 * truncated, non-JSON or wrong-schema file is moved aside (kept for the user, named in the log)
 * and the defaults are used (reliability matrix row 8). The file the hand-written writer of
 * earlier releases made is the same file in the same format (a flat JSON object): it is read as
 * it is, fields added since then take their defaults, and the next change rewrites it via conf.
 */
export async function openSettings(opts: OpenSettingsOptions): Promise<SettingsStore> {
  const file = path.join(opts.dir, SETTINGS_FILE);
  const clock = opts.clock ?? systemClock;
  const listeners = new Set<(s: TransferSettings) => void>();
  const recovered = checkFile(file, opts.logger, clock);
  const factory = opts.backing ?? confBacking();
  let backing: SettingsBacking | null = null;
  let unavailable = '';
  try {
    backing = factory({ cwd: opts.dir, name: SETTINGS_NAME, fileMode: 0o600 });
  } catch (thrown) {
    // Only an unreadable file or folder gets here (bad content was moved aside above): run on the
    // defaults, and say why a change cannot be saved.
    unavailable = thrown instanceof Error ? thrown.message : String(thrown);
    opts.logger.error('settings: store unavailable, using defaults', { error: unavailable });
  }
  let current = backing ? fromStore(backing.store) : DEFAULT_TRANSFER_SETTINGS;
  return {
    recovered,
    get: () => current,
    set(patch) {
      const parsed = transferSettingsPatchSchema.safeParse(patch);
      if (!parsed.success) throw new FerryError(appError('bad_request', `Invalid settings: ${firstIssue(parsed.error.issues)}`, { retryable: false }));
      const next = merge(current, parsed.data);
      try {
        if (!backing) throw new Error(unavailable);
        backing.store = { ...next };
      } catch (thrown) {
        const message = thrown instanceof Error ? thrown.message : String(thrown);
        throw new FerryError(appError('internal', `Could not save the settings: ${message}`, { retryable: false }));
      }
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

/** What the backing holds, as settings; an empty store (no file yet) is the defaults. */
function fromStore(stored: Record<string, unknown>): TransferSettings {
  const { [CONF_INTERNAL_KEY]: _internal, ...fields } = stored;
  if (Object.keys(fields).length === 0) return DEFAULT_TRANSFER_SETTINGS;
  // checkFile vetted these bytes; a file swapped in since then still must not crash the start.
  const parsed = transferSettingsSchema.safeParse(fields);
  return parsed.success ? parsed.data : DEFAULT_TRANSFER_SETTINGS;
}

/**
 * Vets the file before conf reads it (conf would throw on bad JSON, or wipe it with
 * `clearInvalidConfig`): a bad file is renamed to `settings.json.corrupt-<time>` and reported.
 */
function checkFile(file: string, logger: Logger, clock: Clock): SettingsStore['recovered'] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (thrown) {
    const code = (thrown as { code?: unknown }).code;
    if (code !== 'ENOENT') logger.warn('settings: unreadable, using defaults', { code: typeof code === 'string' ? code : 'unknown' });
    return null;
  }
  const reason = invalidReason(text);
  if (reason === null) return null;
  let movedTo: string;
  try {
    movedTo = moveAside(file, clock);
  } catch (thrown) {
    logger.error('settings: bad file could not be moved aside', { error: String(thrown) });
    return null;
  }
  logger.error('settings: bad settings file moved aside, using defaults', { movedTo, reason });
  const error = appError('integrity', `The settings file was unreadable (${reason}); it was kept as ${movedTo} and defaults are used.`, {
    retryable: false,
    details: { path: movedTo },
  });
  return { movedTo, error };
}

/** Why the file's text is not valid settings, or null when it is. Never echoes the content. */
function invalidReason(text: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const { [CONF_INTERNAL_KEY]: _internal, ...fields } = raw as Record<string, unknown>;
    raw = fields;
  }
  const parsed = transferSettingsSchema.safeParse(raw);
  return parsed.success ? null : firstIssue(parsed.error.issues);
}

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

function moveAside(file: string, clock: Clock): string {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${stamp}`;
  for (let i = 1; fs.existsSync(target); i++) target = `${file}.corrupt-${stamp}-${i}`;
  fs.renameSync(file, target);
  return target;
}
