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
  const change = (patch: Partial<Job>, stateChanged: boolean, bytesReported?: boolean) => {
    const job = { ...(jobs.get(base.id) ?? base), ...patch, updatedAt: time.clock.now() };
    jobs.set(job.id, job);
    tracker.record(job, stateChanged, bytesReported);
    return job;
  };
  return { time, tracker, pushes, change, jobs };
}

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

describe('what the tracker remembers between attempts', () => {
  it('an attempt that resumes from fewer confirmed bytes than the last one reached says what it re-sends', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    // Requeued straight from the attempt (no pause record in between) at the 1 MB the server confirmed.
    ctx.change({ status: { kind: 'queued' }, bytesSent: 1_000_000 }, true);
    ctx.change({ status: { kind: 'uploading' } }, true);
    ctx.time.advance(5);
    const job = ctx.change({ bytesSent: 1_000_000 }, false);
    expect(ctx.tracker.view(job).resentBytes).toBe(2_000_000);
  });

  it('queued again at 0 B after a pause is a fresh start: nothing is re-sent', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    ctx.change({ status: { kind: 'paused', reason: 'user' } }, true);
    ctx.change({ status: { kind: 'queued' }, bytesSent: 0 }, true);
    ctx.change({ status: { kind: 'uploading' } }, true);
    const bytes = send(ctx, 0, 1_000_000, 200);
    expect(ctx.tracker.view({ ...ctx.jobs.get('j1')!, bytesSent: bytes }).resentBytes).toBeUndefined();
    expect(ctx.tracker.view(ctx.jobs.get('j1')!).bytesSent).toBe(200_000);
  });

  const ended: JobStatus[] = [
    { kind: 'done', verifiedAt: 1, result: { url: 'u', remoteId: 'r', size: 2_000_000, mimetype: 'x', filename: 'a.bin' } },
    { kind: 'failed', error: { code: 'network', message: 'x', retryable: true } },
    { kind: 'canceled' },
    { kind: 'duplicate', existing: { url: 'u', remoteId: 'r', finishedAt: 0 } },
  ];
  for (const status of ended) {
    it(`a job that ended (${status.kind}) starts over with no history: nothing counts as re-sent`, () => {
      const ctx = setup();
      ctx.change({ status: { kind: 'uploading' } }, true);
      send(ctx, 0, 1_000_000, 3000);
      ctx.change({ status }, true);
      // Run again (retry, "upload anyway") from 1 MB: the ended job's 3 MB are not this job's past.
      ctx.change({ status: { kind: 'queued' }, bytesSent: 1_000_000 }, true);
      ctx.change({ status: { kind: 'uploading' } }, true);
      ctx.time.advance(5);
      const job = ctx.change({ bytesSent: 1_000_000 }, false);
      expect(ctx.tracker.view(job).resentBytes).toBeUndefined();
    });
  }

  it('a job first seen mid-upload (restored after a restart) counts bytes below that as re-sent', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' }, bytesSent: 3_000_000 }, true);
    ctx.time.advance(5);
    const job = ctx.change({ bytesSent: 1_000_000 }, false);
    expect(ctx.tracker.view(job).resentBytes).toBe(2_000_000);
  });

  it('a change inside an attempt that is not a byte report (trouble) does not start the speed clock', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    ctx.change({ status: { kind: 'uploading', trouble: { error: { code: 'network', message: 'slow', retryable: true }, retryAt: 1000 } } }, false, false);
    ctx.time.advance(5000);
    // The first report is the confirmed parts arriving at once: no history yet, so no speed.
    const job = ctx.change({ bytesSent: 1_000_000 }, false);
    expect(ctx.tracker.view(job).speedBps).toBe(0);
  });
});

describe('the speed window', () => {
  it('after a whole window at a new rate, the speed is that rate, not the average since the start', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, send(ctx, 0, 2_000_000, 6000), 200_000, 3500);
    const speed = ctx.tracker.view(ctx.jobs.get('j1')!).speedBps;
    expect(speed).toBeGreaterThan(180_000);
    expect(speed).toBeLessThan(230_000);
  });

  it('a report with no new bytes keeps the speed (it is a stall, not a restart)', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    const bytes = send(ctx, 0, 1_000_000, 3000);
    ctx.time.advance(10);
    const job = ctx.change({ bytesSent: bytes }, false);
    expect(ctx.tracker.view(job).speedBps).toBeGreaterThan(900_000);
  });

  it('a provider that starts over inside an attempt gets a new baseline: the speed follows the new run', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    ctx.time.advance(10);
    ctx.change({ bytesSent: 0 }, false);
    expect(ctx.tracker.view(ctx.jobs.get('j1')!).speedBps).toBe(0);
    send(ctx, 0, 1_000_000, 2000);
    const speed = ctx.tracker.view(ctx.jobs.get('j1')!).speedBps;
    expect(speed).toBeGreaterThan(900_000);
    expect(speed).toBeLessThan(1_100_000);
  });

  it('a job the tracker never saw (or forgot) has no speed and no ETA', () => {
    const ctx = setup();
    const job = ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    ctx.tracker.forget('j1');
    const view = ctx.tracker.view({ ...job, id: 'never-seen', bytesSent: 5 });
    expect(view.speedBps).toBe(0);
    expect(view.etaSeconds).toBeNull();
    expect(ctx.tracker.view(ctx.jobs.get('j1')!).speedBps).toBe(0);
  });

  it('a job that is not uploading shows no speed, even with fresh history', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    send(ctx, 0, 1_000_000, 3000);
    const verifying = ctx.change({ status: { kind: 'verifying' } }, true);
    expect(ctx.tracker.view(verifying).speedBps).toBe(0);
    expect(ctx.tracker.view(verifying).etaSeconds).toBeNull();
  });
});

describe('when pushes go out', () => {
  it('a state change stays due on the next tick when byte progress of another job arrives in the same tick', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    ctx.time.tick();
    const second: Job = { ...ctx.jobs.get('j1')!, id: 'j2', status: { kind: 'uploading' } };
    ctx.jobs.set('j2', second);
    ctx.time.advance(1);
    ctx.change({ status: { kind: 'canceled' } }, true);
    const moved = { ...second, bytesSent: 500 };
    ctx.jobs.set('j2', moved);
    ctx.tracker.record(moved, false);
    ctx.time.advance(0);
    const at1 = ctx.pushes.filter((p) => p.at === 1).flatMap((p) => p.views.map((v) => `${v.id}:${v.status.kind}:${v.bytesSent}`));
    expect(at1).toEqual(['j1:canceled:0', 'j2:uploading:500']);
  });

  it('byte progress right after a push waits out the interval; a state change in the meantime brings the push forward', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    ctx.time.tick();
    expect(ctx.pushes.map((p) => p.at)).toEqual([0]);
    ctx.time.advance(10);
    ctx.change({ bytesSent: 10 }, false);
    ctx.time.advance(50);
    expect(ctx.pushes.map((p) => p.at)).toEqual([0]);
    ctx.change({ status: { kind: 'paused', reason: 'user' } }, true);
    ctx.time.tick();
    expect(ctx.pushes.map((p) => p.at)).toEqual([0, 60]);
    // The earlier progress timer was replaced, not left to fire a second, empty push at 100.
    ctx.time.advance(200);
    expect(ctx.pushes.map((p) => p.at)).toEqual([0, 60]);
  });

  it('the first byte report of a tracker is pushed at once (no interval has passed since no push)', () => {
    const ctx = setup();
    ctx.time.advance(1000);
    ctx.change({ bytesSent: 1 }, false);
    ctx.time.tick();
    expect(ctx.pushes.map((p) => p.at)).toEqual([1000]);
  });

  it('a job removed before its push is left out; a push with nothing left is not sent', () => {
    const ctx = setup();
    ctx.change({ status: { kind: 'uploading' } }, true);
    ctx.jobs.delete('j1');
    ctx.time.tick();
    expect(ctx.pushes).toEqual([]);
    ctx.tracker.flush();
    expect(ctx.pushes).toEqual([]);
  });

  it('close() cancels the pending timer: nothing fires after it', () => {
    let cleared = 0;
    const time = manualTime();
    const timers: Timers = {
      setTimeout: (fn, ms) => time.timers.setTimeout(fn, ms),
      clearTimeout: (h) => {
        cleared++;
        time.timers.clearTimeout(h);
      },
    };
    const job: Job = {
      id: 'j1', name: 'a', relativePath: null, sourcePath: '/x', size: 10, destination: 'local',
      status: { kind: 'uploading' }, bytesSent: 0, attempts: 0, createdAt: 0, updatedAt: 0,
    };
    const pushes: number[] = [];
    const tracker = createProgressTracker({ clock: time.clock, timers, intervalMs: 100, lookup: () => job, emit: () => pushes.push(time.clock.now()) });
    tracker.record(job, true);
    tracker.close();
    expect(cleared).toBe(1);
    expect(pushes).toEqual([0]);
    tracker.close();
    expect(cleared).toBe(1);
  });
});
