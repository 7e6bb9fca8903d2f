import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src-shared/errors.js';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL, ELECTRON_GRANT_CHANNEL, type FerryBridge } from '../../src-shared/ipc/bridge.js';

/**
 * Bundles the real preload exactly as the build does (CJS, only 'electron' external) and runs
 * the bundle against a fake 'electron' module — the Electron runtime is the one thing faked.
 */

const PRELOAD = fileURLToPath(new URL('../../src-main/hosts/electron/preload.ts', import.meta.url));

type RelayListener = (event: unknown, message: unknown) => void;

class FakeElectron {
  exposed = new Map<string, unknown>();
  invokes: Array<[string, unknown]> = [];
  sends: Array<[string, unknown[]]> = [];
  listeners = new Set<RelayListener>();
  reply: (channel: string, payload: unknown) => unknown = () => ({ ok: true, value: null });

  readonly contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => this.exposed.set(key, api),
  };
  readonly ipcRenderer = {
    invoke: async (channel: string, payload: unknown) => {
      this.invokes.push([channel, payload]);
      return this.reply(channel, payload);
    },
    send: (channel: string, ...args: unknown[]) => {
      this.sends.push([channel, args]);
    },
    on: (channel: string, listener: RelayListener) => {
      if (channel === ELECTRON_EVENT_CHANNEL) this.listeners.add(listener);
    },
    removeListener: (channel: string, listener: RelayListener) => {
      if (channel === ELECTRON_EVENT_CHANNEL) this.listeners.delete(listener);
    },
  };
  readonly webUtils = {
    getPathForFile: (file: unknown) => {
      if (typeof file === 'object' && file !== null && 'fakePath' in file) return String(file.fakePath);
      throw new TypeError('Error processing argument at index 0, conversion failure');
    },
  };

  emit(message: unknown): void {
    for (const listener of this.listeners) listener({ sender: 'ipcRenderer-leak' }, message);
  }
}

let bundle = '';

function loadPreload(): { electron: FakeElectron; ferry: FerryBridge } {
  const electron = new FakeElectron();
  const requireFake = (id: string): unknown => {
    if (id === 'electron') return electron;
    throw new Error(`preload tried to require ${id}`);
  };
  const module = { exports: {} };
  // Evaluates our own freshly built bundle with the fake 'electron' injected as require.
  new Function('require', 'module', 'exports', bundle)(requireFake, module, module.exports);
  return { electron, ferry: electron.exposed.get('ferry') as FerryBridge };
}

beforeAll(async () => {
  const out = await build({
    entryPoints: [PRELOAD],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0]?.text ?? '';
});

describe('preload bundle', () => {
  it('requires nothing but electron and stays small (no zod)', () => {
    const required = [...bundle.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(bundle).not.toMatch(/zod/i);
  });

  it('exposes exactly one frozen window.ferry with four members', () => {
    const { electron, ferry } = loadPreload();
    expect([...electron.exposed.keys()]).toEqual(['ferry']);
    expect(Object.isFrozen(ferry)).toBe(true);
    expect(Object.keys(ferry).sort()).toEqual(['getPathForFile', 'host', 'invoke', 'on']);
    expect(ferry.host).toBe('electron');
  });

  it('invoke forwards contract channels under the ferry: prefix and returns the reply', async () => {
    const { electron, ferry } = loadPreload();
    electron.reply = (channel) => ({ ok: true, value: { echoed: channel } });
    const reply = await ferry.invoke('jobs:pause', { id: 'job_1' });
    expect(reply).toEqual({ ok: true, value: { echoed: `${ELECTRON_CALL_PREFIX}jobs:pause` } });
    expect(electron.invokes).toEqual([[`${ELECTRON_CALL_PREFIX}jobs:pause`, { id: 'job_1' }]]);
  });

  it.each(['jobs:delete-everything', '__proto__', 'toString', '', 'ferry:event'])(
    'invoke(%j) is refused with bad_request and sends no IPC',
    async (channel) => {
      const { electron, ferry } = loadPreload();
      const reply: Result<unknown> = await ferry.invoke(channel, {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(electron.invokes).toHaveLength(0);
    },
  );

  it('invoke turns an IPC failure into error data', async () => {
    const { electron, ferry } = loadPreload();
    electron.reply = () => {
      throw new Error('An object could not be cloned.');
    };
    expect(await ferry.invoke('jobs:list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('on delivers only its event name, only the payload, and unsubscribes', () => {
    const { electron, ferry } = loadPreload();
    const got: unknown[] = [];
    const off = ferry.on('jobs:removed', (payload) => got.push(payload));
    electron.emit({ name: 'jobs:updated', payload: { jobs: [] } });
    electron.emit({ name: 'jobs:removed', payload: { ids: ['a'] } });
    electron.emit('garbage');
    electron.emit(null);
    expect(got).toEqual([{ ids: ['a'] }]);
    off();
    expect(electron.listeners.size).toBe(0);
    electron.emit({ name: 'jobs:removed', payload: { ids: ['b'] } });
    expect(got).toHaveLength(1);
  });

  it('on ignores unknown event names without subscribing', () => {
    const { electron, ferry } = loadPreload();
    const off = ferry.on('ferry:secret', () => undefined);
    expect(electron.listeners.size).toBe(0);
    expect(() => off()).not.toThrow();
  });

  it('getPathForFile returns the path, or "" for a non-File', () => {
    const { ferry } = loadPreload();
    expect(ferry.getPathForFile({ fakePath: '/home/u/photo.jpg' })).toBe('/home/u/photo.jpg');
    expect(ferry.getPathForFile('not a file')).toBe('');
  });

  it('grants main the path of a real File, and nothing for anything else', () => {
    const { electron, ferry } = loadPreload();
    ferry.getPathForFile({ fakePath: '/home/u/photo.jpg' });
    ferry.getPathForFile('not a file');
    ferry.getPathForFile({ fakePath: '' });
    expect(electron.sends).toEqual([[ELECTRON_GRANT_CHANNEL, ['/home/u/photo.jpg']]]);
  });
});
