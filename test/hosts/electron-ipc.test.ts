import { beforeEach, describe, expect, it } from 'vitest';
import { FerryError, appError, type Result } from '../../src-shared/errors.js';
import { ELECTRON_CALL_PREFIX, ELECTRON_EVENT_CHANNEL, ELECTRON_GRANT_CHANNEL } from '../../src-shared/ipc/bridge.js';
import { channels, events, type Channel, type EventName } from '../../src-shared/ipc/channels.js';
import type { Handlers } from '../../src-shared/ipc/dispatch.js';
import {
  channelNames,
  eventNames,
  isChannelName,
  isEventName,
} from '../../src-main/hosts/electron/contract-names.js';
import {
  pushEvent,
  registerContract,
  registerGrants,
  type EventSink,
  type InvokeEventLike,
  type IpcMainLike,
  type SenderCheck,
} from '../../src-main/hosts/electron/ipc.js';

type Listener = (event: InvokeEventLike, payload?: unknown) => Promise<Result<unknown>>;
type OnListener = (event: InvokeEventLike, ...args: unknown[]) => void;

/** Ferry's window has webContents id 1; anything else is another window. */
const OWN_WINDOW = 1;
/** Where a message comes from: a webContents id, and whether the frame is a subframe. */
type From = { senderId?: number; subframe?: boolean };

function eventFrom(senderUrl: string | null, from: From = {}): InvokeEventLike {
  return {
    sender: { id: from.senderId ?? OWN_WINDOW },
    senderFrame: senderUrl === null ? null : { url: senderUrl, parent: from.subframe ? { url: 'app://ferry/index.html' } : null },
  };
}

/** A stand-in for Electron's ipcMain (the Electron runtime is the one thing we fake). */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, Listener>();
  readonly onListeners = new Map<string, OnListener[]>();
  readonly handleCalls: string[] = [];
  handle(channel: string, listener: Listener): void {
    // Electron throws on a second handler for one channel; so do we.
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handleCalls.push(channel);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
  on(channel: string, listener: OnListener): void {
    this.onListeners.set(channel, [...(this.onListeners.get(channel) ?? []), listener]);
  }
  removeAllListeners(channel: string): void {
    this.onListeners.delete(channel);
  }
  invoke(channel: Channel, senderUrl: string | null, payload?: unknown, from?: From): Promise<Result<unknown>> {
    const listener = this.listeners.get(ELECTRON_CALL_PREFIX + channel);
    if (!listener) throw new Error(`no handler for ${channel}`);
    return listener(eventFrom(senderUrl, from), payload);
  }
  send(channel: string, senderUrl: string | null, from: From, ...args: unknown[]): void {
    for (const listener of this.onListeners.get(channel) ?? []) listener(eventFrom(senderUrl, from), ...args);
  }
}

const TRUSTED = 'app://ferry/index.html';

function countingHandlers(): { handlers: Handlers; calls: Array<[Channel, unknown]> } {
  const calls: Array<[Channel, unknown]> = [];
  const note = (c: Channel, req: unknown): void => {
    calls.push([c, req]);
  };
  // Channels without a specific behaviour below just record the call; new channels get one
  // automatically, so this test keeps covering the whole map.
  const recordOnly = Object.fromEntries(
    (Object.keys(channels) as Channel[]).map((c) => [c, (r: unknown) => (note(c, r), null)]),
  ) as unknown as Handlers;
  const handlers: Handlers = {
    ...recordOnly,
    'app:info': (r) => {
      note('app:info', r);
      return {
        host: 'electron',
        version: '0.0.0-test',
        capabilities: { droppedFilePaths: true, streamDroppedFiles: false, nativeDialogs: true },
        defaultDestination: 'local',
      };
    },
    'jobs:list': (r) => (note('jobs:list', r), { jobs: [] }),
    'jobs:add-paths': (r) => (note('jobs:add-paths', r), { jobIds: r.paths.map((_, i) => `job${i}`), skipped: [] }),
    'jobs:cancel': (r) => {
      note('jobs:cancel', r);
      throw new FerryError(appError('not_found', `No job ${r.id}`));
    },
  };
  return { handlers, calls };
}

describe('contract names', () => {
  it('match the channel and event maps exactly', () => {
    expect([...channelNames].sort()).toEqual(Object.keys(channels).sort());
    expect([...eventNames].sort()).toEqual(Object.keys(events).sort());
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'jobs:LIST', 'jobs:list ', '', 'ferry:jobs:list'])(
    'rejects %j as a channel or event name',
    (name) => {
      expect(isChannelName(name)).toBe(false);
      expect(isEventName(name)).toBe(false);
    },
  );
});

describe('registerContract', () => {
  let ipc: FakeIpcMain;
  let calls: Array<[Channel, unknown]>;
  let rejected: Array<[string, string]>;
  let unregister: () => void;

  beforeEach(() => {
    ipc = new FakeIpcMain();
    const built = countingHandlers();
    calls = built.calls;
    rejected = [];
    unregister = registerContract(ipc, built.handlers, { isOwnWindow: (id) => id === OWN_WINDOW, onRejected: (c, u) => rejected.push([c, u]) });
  });

  it('registers every channel exactly once, under the ferry: prefix', () => {
    const expected = Object.keys(channels).map((c) => ELECTRON_CALL_PREFIX + c);
    expect([...ipc.handleCalls].sort()).toEqual(expected.sort());
    expect(new Set(ipc.handleCalls).size).toBe(ipc.handleCalls.length);
  });

  it('unregister removes every handler', () => {
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it.each([
    'file:///home/u/evil.html',
    'http://evil.example/',
    'http://127.0.0.1:5173/index.html',
    'app://ferry.evil/index.html',
    'app://evil/index.html',
    'https://cdn.filestackcontent.com/x',
    'about:blank',
    'data:text/html,x',
    '',
    null,
  ])('refuses sender %j with forbidden and never calls the handler', async (url) => {
    for (const channel of ['jobs:add-paths', 'jobs:pause-all', 'app:info'] as const) {
      const payload = channel === 'jobs:add-paths' ? { paths: ['/etc/passwd'] } : {};
      const reply = await ipc.invoke(channel, url, payload);
      expect(reply.ok).toBe(false);
      if (!reply.ok) expect(reply.error.code).toBe('forbidden');
    }
    expect(calls).toHaveLength(0);
    expect(rejected.map(([c]) => c)).toEqual(['jobs:add-paths', 'jobs:pause-all', 'app:info']);
  });

  it('a sender frame that throws on access is refused', async () => {
    const listener = ipc.listeners.get(`${ELECTRON_CALL_PREFIX}jobs:list`);
    const event = {
      sender: { id: OWN_WINDOW },
      get senderFrame(): never {
        throw new Error('Render frame was disposed');
      },
    };
    const reply = await listener?.(event, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toHaveLength(0);
  });

  it.each<[Channel, unknown]>([
    ['jobs:add-paths', {}],
    ['jobs:add-paths', { paths: [] }],
    ['jobs:add-paths', { paths: ['/a'], extra: 1 }],
    ['jobs:add-paths', { paths: ['/a'], destination: 'ftp' }],
    ['jobs:pause', { id: '../../etc' }],
    ['jobs:pause', { id: 7 }],
    ['jobs:pause', undefined],
    ['jobs:list', null],
    ['jobs:list', { __proto__: { polluted: true }, x: 1 }],
    ['jobs:pause-all', 'all'],
  ])('trusted sender, bad payload for %s → bad_request, no handler call', async (channel, payload) => {
    const reply = await ipc.invoke(channel, TRUSTED, payload);
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(calls).toHaveLength(0);
  });

  it('trusted sender with a good payload reaches the handler with the parsed request', async () => {
    const reply = await ipc.invoke('jobs:add-paths', TRUSTED, { paths: ['/data/a.jpg', '/data/b.mp4'] });
    expect(reply).toEqual({ ok: true, value: { jobIds: ['job0', 'job1'], skipped: [] } });
    expect(calls).toEqual([['jobs:add-paths', { paths: ['/data/a.jpg', '/data/b.mp4'] }]]);

    const info = await ipc.invoke('app:info', 'app://ferry/', {});
    expect(info).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(calls).toHaveLength(2);
    expect(rejected).toHaveLength(0);
  });

  it('a handler that throws becomes error data, not a rejected promise', async () => {
    const reply = await ipc.invoke('jobs:cancel', TRUSTED, { id: 'job_1' });
    expect(reply).toEqual({ ok: false, error: { code: 'not_found', message: 'No job job_1', retryable: false } });
    expect(calls).toEqual([['jobs:cancel', { id: 'job_1' }]]);
  });

  // Issue 13 hole 6: the URL alone is not enough; it must be the main frame of Ferry's window.
  it('refuses a subframe showing app://ferry, and another window showing it', async () => {
    const fromFrame = await ipc.invoke('jobs:add-paths', TRUSTED, { paths: ['/etc/passwd'] }, { subframe: true });
    expect(fromFrame).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const fromOther = await ipc.invoke('jobs:add-paths', TRUSTED, { paths: ['/etc/passwd'] }, { senderId: 2 });
    expect(fromOther).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toHaveLength(0);
    expect(rejected).toEqual([
      ['jobs:add-paths', `a subframe (${TRUSTED})`],
      ['jobs:add-paths', `another window (${TRUSTED})`],
    ]);
    // The main frame of Ferry's own window still gets through.
    expect(await ipc.invoke('jobs:list', TRUSTED, {})).toMatchObject({ ok: true });
  });
});

describe('registerGrants', () => {
  const check: SenderCheck = { isOwnWindow: (id) => id === OWN_WINDOW };

  it('grants one absolute path from the main frame of Ferry’s window, and ignores everything else', () => {
    const ipc = new FakeIpcMain();
    const granted: string[][] = [];
    const unregister = registerGrants(ipc, (paths) => granted.push(paths), check);
    ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, {}, '/home/u/Pictures/a.jpg');
    ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, {}, 'C:\\Users\\u\\a.jpg');
    for (const bad of ['relative/a.jpg', '', 7, ['/a'], { path: '/a' }, '/a\0b', `/${'x'.repeat(5000)}`]) ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, {}, bad);
    ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, { subframe: true }, '/home/u/.ssh/id_ed25519');
    ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, { senderId: 2 }, '/home/u/.ssh/id_ed25519');
    ipc.send(ELECTRON_GRANT_CHANNEL, 'https://evil.example/', {}, '/home/u/.ssh/id_ed25519');
    expect(granted).toEqual([['/home/u/Pictures/a.jpg'], ['C:\\Users\\u\\a.jpg']]);
    unregister();
    ipc.send(ELECTRON_GRANT_CHANNEL, TRUSTED, {}, '/home/u/b.jpg');
    expect(granted).toHaveLength(2);
  });
});

describe('pushEvent', () => {
  class FakeContents implements EventSink {
    destroyed = false;
    readonly sent: Array<[string, unknown[]]> = [];
    isDestroyed(): boolean {
      return this.destroyed;
    }
    send(channel: string, ...args: unknown[]): void {
      this.sent.push([channel, args]);
    }
  }

  it('sends {name, payload} on the one event channel', () => {
    const contents = new FakeContents();
    expect(pushEvent(contents, 'jobs:removed', { ids: ['a', 'b'] })).toBe(true);
    expect(contents.sent).toEqual([[ELECTRON_EVENT_CHANNEL, [{ name: 'jobs:removed', payload: { ids: ['a', 'b'] } }]]]);
  });

  it('refuses names outside the events map at runtime', () => {
    const contents = new FakeContents();
    const bogus = 'jobs:secret' as EventName;
    expect(pushEvent(contents, bogus, { ids: [] } as never)).toBe(false);
    expect(contents.sent).toHaveLength(0);
  });

  it('skips a destroyed window', () => {
    const contents = new FakeContents();
    contents.destroyed = true;
    expect(pushEvent(contents, 'jobs:updated', { jobs: [] })).toBe(false);
    expect(contents.sent).toHaveLength(0);
  });
});
