import { describe, expect, it } from 'vitest';
import type { Job, JobStatus, JobView } from '../../src-shared/model/job.js';
import { createProgressTracker, type Timers } from '../../src-main/engine/progress.js';

/** A manual clock with timers that fire only when the test advances time. */
function manualTime() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { due: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = ++seq;
      pending.set(id, { due: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  const runDue = () => {
    for (;;) {
      const next = [...pending.entries()].filter(([, t]) => t.due <= now).sort((a, b) => a[1].due - b[1].due)[0];
      if (!next) return;
      pending.delete(next[0]);
      next[1].fn();
    }
  };
  return {
    clock: { now: () => now },
    timers,
    advance(ms: number) {
      now += ms;
      runDue();
    },
    tick: () => runDue(),
  };
}

function setup() {
  const time = manualTime();
  const jobs = new Map<string, Job>();
  const pushes: { at: number; views: JobView[] }[] = [];
  const tracker = createProgressTracker({
    clock: time.clock,
    timers: time.timers,
    intervalMs: 100,
    lookup: (id) => jobs.get(id),
    emit: (views) => pushes.push({ at: time.clock.now(), views }),
  });
  const base: Job = {
    id: 'j1', name: 'a.bin', relativePath: null, sourcePath: '/x', size: 2_000_000, destination: 'local',
    status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: 0, updatedAt: 0,
  };
  const change = (patch: Partial<Job>, stateChanged: boolean) => {
    const job = { ...(jobs.get(base.id) ?? base), ...patch, updatedAt: time.clock.now() };
    jobs.set(job.id, job);
    tracker.record(job, stateChanged);
    return job;
  };
  return { time, tracker, pushes, change, jobs };
}

describe('progress tracker', () => {
  it('coalesces 1000 progress events in one second into at most 10 pushes', () => {
    const { time, pushes, change } = setup();
    change({ status: { kind: 'uploading' } }, true);
    time.tick();
    for (let ms = 1; ms <= 1000; ms++) {
      time.advance(1);
      change({ bytesSent: ms * 1000 }, false);
    }
    const inFirstSecond = pushes.filter((p) => p.at < 1000);
    expect(inFirstSecond.length).toBeGreaterThan(0);
    expect(inFirstSecond.length).toBeLessThanOrEqual(10);
    time.advance(200);
    // The last progress is delivered too, just throttled.
    expect(pushes.at(-1)?.views[0]?.bytesSent).toBe(1_000_000);
    // Throttled pushes are at least one interval apart, whatever window one looks at.
    const gaps = pushes.slice(1).map((p, i) => p.at - pushes[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
  });

  it('reports a sane windowed speed and ETA', () => {
    const { time, tracker, change } = setup();
    change({ status: { kind: 'uploading' } }, true);
    let job = change({ bytesSent: 0 }, false);
    for (let ms = 1; ms <= 1500; ms++) {
      time.advance(1);
      job = change({ bytesSent: ms * 1000 }, false); // 1,000,000 B/s exactly
    }
    const view = tracker.view(job);
    expect(view.speedBps).toBeGreaterThan(990_000);
    expect(view.speedBps).toBeLessThan(1_010_000);
    expect(view.etaSeconds).toBeGreaterThan(0.49);
    expect(view.etaSeconds).toBeLessThan(0.51);
    expect(view).not.toHaveProperty('sourcePath');
    // Speed halves smoothly rather than jumping.
    for (let i = 0; i < 20; i++) {
      time.advance(100);
      job = change({ bytesSent: job.bytesSent + 50_000 }, false);
    }
    const slower = tracker.view(job).speedBps;
    expect(slower).toBeGreaterThan(500_000);
    expect(slower).toBeLessThan(800_000);
  });

  it('delivers a terminal state on the next tick, even inside the throttle window', () => {
    const { time, pushes, change } = setup();
    change({ status: { kind: 'uploading' } }, true);
    time.tick();
    time.advance(1);
    change({ bytesSent: 10 }, false);
    time.advance(1);
    const done: JobStatus = { kind: 'done', verifiedAt: 2, result: { url: 'u', remoteId: 'r', size: 2_000_000, mimetype: 'x', filename: 'a.bin' } };
    change({ status: done, bytesSent: 2_000_000 }, true);
    time.tick();
    const last = pushes.at(-1);
    expect(last?.at).toBe(2);
    expect(last?.views[0]?.status.kind).toBe('done');
    expect(last?.views[0]?.speedBps).toBe(0);
    expect(last?.views[0]?.etaSeconds).toBe(0);
  });

  it('close() flushes what is pending and schedules nothing more', () => {
    const { time, tracker, pushes, change } = setup();
    change({ status: { kind: 'uploading' } }, true);
    time.tick();
    time.advance(1);
    change({ bytesSent: 99 }, false);
    tracker.close();
    expect(pushes.at(-1)?.views[0]?.bytesSent).toBe(99);
    const count = pushes.length;
    change({ bytesSent: 100 }, false);
    time.advance(1000);
    expect(pushes.length).toBe(count);
  });
});

describe('speed and progress across attempts', () => {
  /** Bytes move at `bps` for `ms` in 10 ms steps. */
  function send(ctx: ReturnType<typeof setup>, from: number, bps: number, ms: number): number {
    let bytes = from;
    for (let t = 0; t < ms; t += 10) {
      ctx.time.advance(10);
      bytes += bps / 100;
      ctx.change({ bytesSent: bytes }, false);
    }
    return bytes;
  }

  it('a resumed attempt starts its speed from its own first report, not from confirmed bytes', () => {
    const ctx = setup();
    const { time, tracker, change } = ctx;
    change({ status: { kind: 'uploading' } }, true);
    const before = send(ctx, 0, 1_000_000, 3000);
    change({ status: { kind: 'paused', reason: 'user' } }, true);
    time.advance(5000);
    change({ status: { kind: 'queued' } }, true);
    let job = change({ status: { kind: 'uploading' } }, true);
    // The provider reports its confirmed parts first (a jump of 1 MB), then a full burst bucket.
    time.advance(2);
    job = change({ bytesSent: 1_000_000 }, false);
    time.advance(2);
    job = change({ bytesSent: 1_250_000 }, false);
    expect(tracker.view(job).speedBps).toBe(0);
    expect(tracker.view(job).etaSeconds).toBeNull();
    // The pause cut off 2 MB in flight: the row is told they are sent again.
    expect(tracker.view(job).resentBytes).toBe(before - 1_000_000);
    // Then at the limit: the shown speed stays within the window's error of it.
    let top = 0;
    let bytes = 1_250_000;
    for (let i = 0; i < 300; i++) {
      bytes = send(ctx, bytes, 1_000_000, 10);
      top = Math.max(top, tracker.view({ ...job, bytesSent: bytes }).speedBps);
    }
    expect(top).toBeLessThanOrEqual(1_000_000 * 1.2);
    expect(top).toBeGreaterThan(900_000);
    // Caught up with what the pause lost: nothing more to say.
    const after = ctx.jobs.get('j1')!;
    expect(after.bytesSent).toBeGreaterThan(before);
    expect(tracker.view(after).resentBytes).toBeUndefined();
  });

  it('a fresh start (user retry at 0 B) reports nothing as re-sent', () => {
    const ctx = setup();
    const { tracker, change } = ctx;
    change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 500);
    change({ status: { kind: 'failed', error: { code: 'network', message: 'x', retryable: true } } }, true);
    change({ status: { kind: 'queued' }, bytesSent: 0 }, true);
    change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 200);
    expect(tracker.view(ctx.jobs.get('j1')!).resentBytes).toBeUndefined();
  });

  it('speed decays when bytes stop moving', () => {
    const ctx = setup();
    const { time, tracker, change } = ctx;
    change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    const job = ctx.jobs.get('j1')!;
    const moving = tracker.view(job).speedBps;
    time.advance(3000);
    expect(tracker.view(job).speedBps).toBeLessThan(moving / 1.5);
  });
});
