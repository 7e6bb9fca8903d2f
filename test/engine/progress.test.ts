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

  it('reports a sane EWMA speed and ETA', () => {
    const { time, tracker, change } = setup();
    change({ status: { kind: 'uploading' } }, true);
    let job = change({ bytesSent: 0 }, false);
    for (let ms = 1; ms <= 1000; ms++) {
      time.advance(1);
      job = change({ bytesSent: ms * 1000 }, false); // 1,000,000 B/s exactly
    }
    const view = tracker.view(job);
    expect(view.speedBps).toBeGreaterThan(990_000);
    expect(view.speedBps).toBeLessThan(1_010_000);
    expect(view.etaSeconds).toBeGreaterThan(0.98);
    expect(view.etaSeconds).toBeLessThan(1.02);
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
