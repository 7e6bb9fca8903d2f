import { appendFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFs, type EngineFs } from '../../src-main/engine/file-system.js';
import type { Timers } from '../../src-main/engine/progress.js';
import { watchUntilSettled } from '../../src-main/engine/settle-watch.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

/**
 * Timers the test fires by hand, on a real file: a poll is a real stat, and "time" passes only
 * when the test fires the next poll, so no assertion depends on the machine's speed.
 */
function handTimers() {
  const pending = new Map<number, { ms: number; fn: () => void }>();
  let seq = 0;
  let cleared = 0;
  let wake: (() => void) | null = null;
  const timers: Timers = {
    setTimeout(fn, ms) {
      pending.set(++seq, { ms, fn });
      wake?.();
      return seq;
    },
    clearTimeout(handle) {
      if (pending.delete(handle as number)) cleared++;
    },
  };
  return {
    timers,
    pending: () => [...pending.values()],
    cleared: () => cleared,
    /** Resolves once the poll in flight has scheduled its next one (or settled/ended: `done`). */
    scheduled(done: () => boolean): Promise<void> {
      return new Promise((resolve) => {
        const check = () => (pending.size > 0 || done() ? resolve() : setImmediate(check));
        wake = check;
        check();
      });
    },
    /** Fires the one pending poll. */
    fire() {
      const [id, t] = [...pending.entries()][0] ?? [];
      if (id === undefined || !t) throw new Error('no poll pending');
      pending.delete(id);
      t.fn();
    },
  };
}

describe('watching a changed file until it settles', () => {
  let dir = '';
  let file = '';
  beforeEach(async () => {
    dir = await makeTempDir('ferry-settle-');
    file = path.join(dir, 'f.bin');
    await writeFile(file, 'abc');
  });
  afterEach(() => removeTempDir(dir));

  async function start(settleMs: number, fs: EngineFs = nodeFs) {
    const t = handTimers();
    const settled: number[] = [];
    const w = watchUntilSettled(fs, t.timers, file, (size) => settled.push(size), settleMs);
    const step = async () => {
      t.fire();
      await t.scheduled(() => settled.length > 0);
    };
    await t.scheduled(() => settled.length > 0);
    return { t, settled, w, step };
  }

  it('settles once size and mtime held for the whole window (polls 500 ms apart), with the new size', async () => {
    const { t, settled, step } = await start(2000);
    expect(t.pending().map((p) => p.ms)).toEqual([500]);
    for (let i = 0; i < 3; i++) await step();
    expect(settled).toEqual([]);
    await step();
    expect(settled).toEqual([3]);
    // Once: nothing more is scheduled.
    expect(t.pending()).toEqual([]);
  });

  it('a write or a touch restarts the window', async () => {
    const { settled, step } = await start(1000);
    await step();
    await appendFile(file, 'defg');
    await step(); // size changed: count from here
    await step();
    expect(settled).toEqual([]);
    await utimes(file, new Date(), new Date(Date.now() + 60_000));
    await step(); // mtime changed: count from here again
    await step();
    expect(settled).toEqual([]);
    await step();
    expect(settled).toEqual([7]);
  });

  it('a file that disappears ends the watch quietly', async () => {
    const { t, settled } = await start(1000);
    await rm(file);
    t.fire();
    // Give the failed stat time to come back; it must schedule nothing.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(t.pending()).toEqual([]);
    expect(settled).toEqual([]);
  });

  it('a file that cannot be read for a moment is polled again', async () => {
    let refuse = 1;
    const flaky: EngineFs = {
      ...nodeFs,
      stat: (p) => (refuse-- > 0 ? Promise.reject(Object.assign(new Error('busy'), { code: 'EBUSY' })) : nodeFs.stat(p)),
    };
    const { t, settled, step } = await start(500, flaky);
    expect(t.pending()).toHaveLength(1);
    await step();
    await step();
    expect(settled).toEqual([3]);
  });

  it('stop() clears the pending poll, and a poll in flight when stopped schedules none', async () => {
    const a = await start(1000);
    a.w.stop();
    expect(a.t.cleared()).toBe(1);
    expect(a.t.pending()).toEqual([]);

    const b = await start(1000);
    b.t.fire();
    b.w.stop(); // the stat is in flight
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(b.t.pending()).toEqual([]);
    expect(b.settled).toEqual([]);
  });
});
