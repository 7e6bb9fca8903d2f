import { describe, expect, it } from 'vitest';
import { chooseStart, displayProblem, nodeSupport, parseLaunchArgs, type InstallOutcome, type NativeOutcome, type StartProbes } from '../../scripts/launch/decide.js';

type Facts = { display?: string | null; binary?: string | null; installer?: string | null; install?: InstallOutcome; native?: NativeOutcome };

const ENV = { FERRY_SQLITE_BINDING: '/cache/sqlite-electron.node' };

/** Probes answering from a table; `installs` counts download attempts. */
function probes(facts: Facts): StartProbes & { installs: number; prepared: string[] } {
  const p = {
    installs: 0,
    displayProblem: () => facts.display ?? null,
    installedBinary: () => facts.binary ?? null,
    installerProblem: () => facts.installer ?? null,
    install: async (): Promise<InstallOutcome> => {
      p.installs += 1;
      return facts.install ?? { ok: false, reason: 'not expected' };
    },
    prepared: [] as string[],
    prepareNative: async (binary: string): Promise<NativeOutcome> => {
      p.prepared.push(binary);
      return facts.native ?? { ok: true, env: ENV };
    },
  };
  return p;
}

describe('chooseStart', () => {
  it('runs an installed binary without downloading', async () => {
    const p = probes({ binary: '/e/electron' });
    expect(await chooseStart(p, { forceBrowser: false })).toEqual({ mode: 'electron', binary: '/e/electron', downloaded: false, env: ENV });
    expect(p.installs).toBe(0);
    expect(p.prepared).toEqual(['/e/electron']);
  });

  it('downloads once when the binary is missing and the installer can run', async () => {
    const p = probes({ install: { ok: true, binary: '/e/new' } });
    expect(await chooseStart(p, { forceBrowser: false })).toEqual({ mode: 'electron', binary: '/e/new', downloaded: true, env: ENV });
    expect(p.installs).toBe(1);
    expect(p.prepared).toEqual(['/e/new']);
  });

  it('falls back to browser mode when the database module cannot be made to load in Electron', async () => {
    const p = probes({ binary: '/e/electron', native: { ok: false, reason: 'the database module could not be built for Electron (no network).' } });
    expect(await chooseStart(p, { forceBrowser: false })).toEqual({ mode: 'browser', reason: 'the database module could not be built for Electron (no network).' });
  });

  it('falls back to browser mode with the installer’s reason when the download fails', async () => {
    const p = probes({ install: { ok: false, reason: 'TypeError: fetch failed' } });
    const plan = await chooseStart(p, { forceBrowser: false });
    expect(plan).toEqual({ mode: 'browser', reason: 'downloading Electron failed: TypeError: fetch failed' });
    expect(p.prepared).toEqual([]);
  });

  it('never downloads without a display', async () => {
    const p = probes({ display: 'neither DISPLAY nor WAYLAND_DISPLAY is set', install: { ok: true, binary: '/e/x' } });
    const plan = await chooseStart(p, { forceBrowser: false });
    expect(plan.mode).toBe('browser');
    expect(plan.mode === 'browser' && plan.reason).toBe('there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set).');
    expect(p.installs).toBe(0);
  });

  it('does not try an installer that cannot run, and says why', async () => {
    const p = probes({ installer: 'the electron package is not installed (run npm install).' });
    const plan = await chooseStart(p, { forceBrowser: false });
    expect(plan.mode === 'browser' && plan.reason).toMatch(/cannot be downloaded here: the electron package is not installed/);
    expect(p.installs).toBe(0);
  });

  it('honours --browser even with a binary present', async () => {
    const plan = await chooseStart(probes({ binary: '/e/electron' }), { forceBrowser: true });
    expect(plan.mode).toBe('browser');
  });
});

describe('start facts', () => {
  it('knows which Node can fetch Electron', () => {
    expect(nodeSupport('v22.12.0')).toEqual({ blocked: null, note: null });
    expect(nodeSupport('v24.1.0')).toEqual({ blocked: null, note: null });
    // Node 20.19+ runs the installer (require of ES modules) although @electron/get asks for 22.12.
    const twenty = nodeSupport('v20.20.2');
    expect(twenty.blocked).toBeNull();
    expect(twenty.note).toMatch(/supports Node 22\.12 or newer; this is Node v20\.20\.2/);
    expect(nodeSupport('v20.18.0').blocked).toMatch(/needs Node 22\.12 or newer/);
    expect(nodeSupport('v18.20.0').blocked).not.toBeNull();
    // 21 and 22.0–22.11 cannot require() an ES module without a flag, so the installer cannot run.
    expect(nodeSupport('v21.7.3').blocked).not.toBeNull();
    expect(nodeSupport('v22.11.0').blocked).not.toBeNull();
    expect(nodeSupport('v23.0.0')).toEqual({ blocked: null, note: null });
  });

  it('finds a display on Linux through DISPLAY or WAYLAND_DISPLAY only', () => {
    expect(displayProblem('linux', {})).toMatch(/DISPLAY/);
    expect(displayProblem('linux', { DISPLAY: '' })).not.toBeNull();
    expect(displayProblem('linux', { DISPLAY: ':99' })).toBeNull();
    expect(displayProblem('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBeNull();
    expect(displayProblem('darwin', {})).toBeNull();
    expect(displayProblem('win32', {})).toBeNull();
  });

  it('takes its own flags out of the host arguments', () => {
    expect(parseLaunchArgs(['--no-open', '--port', '0', '--browser'])).toEqual({ forceBrowser: true, open: false, rest: ['--port', '0'] });
    expect(parseLaunchArgs(['--data', '/d'])).toEqual({ forceBrowser: false, open: true, rest: ['--data', '/d'] });
  });
});
