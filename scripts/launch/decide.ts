/**
 * How `npm start` decides between Electron and browser mode. Pure: every fact about the machine
 * comes in through the probes, so each branch (binary present, downloadable, download fails, no
 * display) is table-tested without touching the network or a display.
 */

/** What the launcher asks about the machine. */
export interface StartProbes {
  /** Null when a display is usable, else the reason there is none. */
  displayProblem(): string | null;
  /** The installed Electron binary, or null when it was never downloaded. */
  installedBinary(): string | null;
  /** Null when Electron's installer can run here, else why not (e.g. the package is missing). */
  installerProblem(): string | null;
  /** Runs Electron's own installer once (progress and timeout are its business). */
  install(): Promise<InstallOutcome>;
  /** Makes native modules load in this Electron (better-sqlite3), once; says what env it needs. */
  prepareNative(binary: string): Promise<NativeOutcome>;
}

export type InstallOutcome = { readonly ok: true; readonly binary: string } | { readonly ok: false; readonly reason: string };
export type NativeOutcome = { readonly ok: true; readonly env: Readonly<Record<string, string>> } | { readonly ok: false; readonly reason: string };

/** What the launcher does next; `reason` is one plain sentence for the user. */
export type StartPlan =
  | { readonly mode: 'electron'; readonly binary: string; readonly downloaded: boolean; readonly env: Readonly<Record<string, string>> }
  | { readonly mode: 'browser'; readonly reason: string };

export type StartOptions = {
  /** `--browser`: the user asked for browser mode. */
  readonly forceBrowser: boolean;
};

/**
 * The decision, in order: asked for browser mode → browser; no display → browser (downloading
 * ~100 MB for a machine that cannot show a window helps nobody); binary present, or installer
 * usable and the download works → Electron, once its native modules load there; anything else →
 * browser, saying why.
 */
export async function chooseStart(probes: StartProbes, opts: StartOptions): Promise<StartPlan> {
  if (opts.forceBrowser) return { mode: 'browser', reason: 'you asked for browser mode (--browser).' };
  const noDisplay = probes.displayProblem();
  if (noDisplay !== null) return { mode: 'browser', reason: `there is no display (${noDisplay}).` };
  let binary = probes.installedBinary();
  const downloaded = binary === null;
  if (binary === null) {
    const cannotInstall = probes.installerProblem();
    if (cannotInstall !== null) return { mode: 'browser', reason: `Electron is not installed and cannot be downloaded here: ${cannotInstall}` };
    const outcome = await probes.install();
    if (!outcome.ok) return { mode: 'browser', reason: `downloading Electron failed: ${outcome.reason}` };
    binary = outcome.binary;
  }
  const native = await probes.prepareNative(binary);
  if (!native.ok) return { mode: 'browser', reason: native.reason };
  return { mode: 'electron', binary, downloaded, env: native.env };
}

/** Electron's downloader (@electron/get 5) declares this Node as its minimum. */
export const ELECTRON_GET_MIN_NODE = [22, 12] as const;

function parse(version: string): [number, number] {
  const [maj = 0, min = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [maj, min];
}

function atLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [maj, min] = parse(version);
  return maj > major || (maj === major && min >= minor);
}

/**
 * Can this Node `require()` an ES module, as Electron's install.js does with @electron/get?
 * Unflagged from 20.19 in the 20 line and from 22.12 on (not in 21, nor 22.0–22.11).
 */
export function canRequireEsm(version: string): boolean {
  const [maj, min] = parse(version);
  return (maj === 20 && min >= 19) || atLeast(version, ELECTRON_GET_MIN_NODE);
}

/**
 * What Node means for the download: `null` (fine), a note to add when it fails (Node 20.19+: the
 * installer runs, but its downloader only promises to support 22.12+), or a hard stop.
 */
export function nodeSupport(version: string): { readonly blocked: string | null; readonly note: string | null } {
  const wanted = `${ELECTRON_GET_MIN_NODE[0]}.${ELECTRON_GET_MIN_NODE[1]}`;
  if (!canRequireEsm(version)) {
    return { blocked: `Electron's downloader needs Node ${wanted} or newer, and this is Node ${version}.`, note: null };
  }
  if (!atLeast(version, ELECTRON_GET_MIN_NODE)) {
    return { blocked: null, note: `Electron's downloader supports Node ${wanted} or newer; this is Node ${version}, so if the network is fine, upgrading Node may help.` };
  }
  return { blocked: null, note: null };
}

/** Why there is no display, or null. macOS and Windows always have one for a desktop user. */
export function displayProblem(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): string | null {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return null;
  if ((env.DISPLAY ?? '') !== '' || (env.WAYLAND_DISPLAY ?? '') !== '') return null;
  return 'neither DISPLAY nor WAYLAND_DISPLAY is set';
}

/** The launcher's own flags, taken out of the arguments the hosts get. */
export type LaunchArgs = { readonly forceBrowser: boolean; readonly open: boolean; readonly rest: readonly string[] };

/** `--browser` and `--no-open` belong to the launcher; everything else goes to the host. */
export function parseLaunchArgs(argv: readonly string[]): LaunchArgs {
  const rest = argv.filter((a) => a !== '--browser' && a !== '--no-open');
  return { forceBrowser: argv.includes('--browser'), open: !argv.includes('--no-open'), rest };
}
