import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../src-main/engine/handlers.js';
import type { Engine } from '../../src-main/engine/types.js';
import type { AppInfo } from '../../src-shared/ipc/channels.js';

/** An engine that answers every call with a marker and records it: the test is of the channel map, not the engine. */
function recordingEngine() {
  const calls: unknown[][] = [];
  const engine = new Proxy({} as Engine, {
    get: (_t, name) => (...args: unknown[]) => {
      calls.push([name, ...args]);
      return `${String(name)}-answer`;
    },
  });
  return { engine, calls };
}

describe('the engine channel map', () => {
  it('each channel calls its engine method with the request fields and answers what the contract says', async () => {
    const { engine, calls } = recordingEngine();
    const info = { version: 'x' } as unknown as AppInfo;
    const h = createHandlers(engine, info);
    expect(await h['app:info'](undefined as never)).toBe(info);
    expect(await h['jobs:list'](undefined as never)).toEqual({ jobs: 'list-answer' });
    expect(await h['jobs:add-paths']({ paths: ['/a'], destination: 'local' } as never)).toBe('addPaths-answer');
    for (const [channel, method] of [
      ['jobs:pause', 'pause'],
      ['jobs:resume', 'resume'],
      ['jobs:cancel', 'cancel'],
      ['jobs:retry', 'retry'],
      ['jobs:upload-anyway', 'uploadAnyway'],
    ] as const) {
      calls.length = 0;
      expect(await h[channel]({ id: 'j1' } as never)).toBeNull();
      expect(calls).toEqual([[method, 'j1']]);
    }
    for (const [channel, method] of [
      ['jobs:pause-all', 'pauseAll'],
      ['jobs:resume-all', 'resumeAll'],
      ['jobs:clear-finished', 'clearFinished'],
    ] as const) {
      calls.length = 0;
      expect(await h[channel](undefined as never)).toBeNull();
      expect(calls).toEqual([[method]]);
    }
  });

  it('a move goes before the named job, or to the top', async () => {
    const { engine, calls } = recordingEngine();
    const h = createHandlers(engine, {} as AppInfo);
    expect(await h['jobs:move']({ id: 'a', before: 'b' } as never)).toBeNull();
    expect(await h['jobs:move']({ id: 'a', toTop: true } as never)).toBeNull();
    expect(calls).toEqual([
      ['move', 'a', { before: 'b' }],
      ['move', 'a', { toTop: true }],
    ]);
  });
});
