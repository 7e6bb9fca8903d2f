import { describe, expect, it } from 'vitest';
import { createScheduler, RECOVER_AFTER_SUCCESSES } from '../../src-main/engine/scheduler.js';
import { FerryError } from '../../src-shared/errors.js';

function setup(target: number) {
  const started: string[] = [];
  const release: (() => void)[] = [];
  const ready = new Set<string>();
  const s = createScheduler({
    target,
    isReady: (id) => ready.has(id),
    run: (id) =>
      new Promise<void>((resolve) => {
        started.push(id);
        release.push(resolve);
      }),
    onError: (_id, e) => {
      throw e;
    },
  });
  const add = (...ids: string[]) => {
    for (const id of ids) {
      ready.add(id);
      s.track(id);
      s.enqueue(id);
    }
  };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { s, started, release, ready, add, tick };
}

describe('scheduler', () => {
  it('starts waiting jobs in list order, and a move changes that order', async () => {
    const { s, started, release, add, tick } = setup(1);
    add('a', 'b', 'c', 'd');
    await tick();
    expect(started).toEqual(['a']);
    s.move('d', { toTop: true });
    s.move('c', { before: 'b' });
    expect(s.order()).toEqual(['d', 'a', 'c', 'b']);
    for (let i = 0; i < 4; i++) {
      release.shift()?.();
      await tick();
    }
    expect(started).toEqual(['a', 'd', 'c', 'b']);
  });

  it('skips jobs that stopped being ready (paused while waiting) without wasting a slot', async () => {
    const { started, release, ready, add, tick } = setup(1);
    add('a', 'b', 'c');
    await tick();
    ready.delete('b');
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'c']);
  });

  it('refuses moves of unknown jobs and moves without a target', () => {
    const { s, add } = setup(1);
    add('a');
    expect(() => s.move('zz', { toTop: true })).toThrow(FerryError);
    expect(() => s.move('a', { before: 'zz' })).toThrow(/No job/);
    expect(() => s.move('a', {})).toThrow(/before another job/);
    expect(s.order()).toEqual(['a']);
  });

  it('a 429 halves file concurrency; successes bring it back one step at a time; settings reset it', () => {
    const { s } = setup(8);
    s.rateLimited();
    expect(s.concurrency()).toEqual({ target: 8, current: 4 });
    s.rateLimited();
    s.rateLimited();
    s.rateLimited();
    expect(s.concurrency().current).toBe(1);
    for (let i = 0; i < RECOVER_AFTER_SUCCESSES; i++) s.succeeded();
    expect(s.concurrency().current).toBe(2);
    for (let i = 0; i < 100; i++) s.succeeded();
    expect(s.concurrency().current).toBe(8);
    s.rateLimited();
    s.setTarget(3);
    expect(s.concurrency()).toEqual({ target: 3, current: 3 });
    s.setTarget(99);
    expect(s.concurrency().target).toBe(16);
  });

  it('raising the concurrency starts more waiting jobs at once', async () => {
    const { s, started, add, tick } = setup(1);
    add('a', 'b', 'c');
    await tick();
    expect(started).toEqual(['a']);
    s.setTarget(3);
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('a job earlier in the list that becomes ready again (retry) starts before later ones', async () => {
    const { s, started, release, ready, add, tick } = setup(1);
    add('a', 'b', 'c');
    await tick();
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'b']);
    // `a` is due for a retry while `b` runs: it goes before `c`, though the list was scanned past it.
    s.enqueue('a');
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'b', 'a']);
    ready.delete('a');
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'b', 'a', 'c']);
  });
});

describe('scheduler bookkeeping', () => {
  it('a job dropped while waiting never runs and costs no slot; tracking twice keeps one place', async () => {
    const { s, started, release, add, tick } = setup(1);
    add('a', 'b', 'c');
    s.track('b');
    expect(s.order()).toEqual(['a', 'b', 'c']);
    await tick();
    s.drop('b');
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'c']);
  });

  it('a slot that finds nothing ready runs nothing', async () => {
    const { s, started, release, add, tick } = setup(1);
    add('a', 'b');
    await tick();
    s.drop('b');
    release.shift()?.();
    await s.onIdle();
    expect(started).toEqual(['a']);
  });

  it('forget takes a job out of the order and the ready set; an unknown id is ignored', async () => {
    const { s, started, release, add, tick } = setup(1);
    add('a', 'b', 'c');
    await tick();
    s.forget('b');
    s.forget('nope');
    expect(s.order()).toEqual(['a', 'c']);
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a', 'c']);
    // Positions were rebuilt: moving still finds the remaining ids.
    s.move('c', { before: 'a' });
    expect(s.order()).toEqual(['c', 'a']);
  });

  it('clear drops every waiting slot (shutdown): nothing more starts', async () => {
    const { s, started, release, add, tick } = setup(1);
    add('a', 'b', 'c');
    await tick();
    s.clear();
    release.shift()?.();
    await tick();
    expect(started).toEqual(['a']);
  });

  it('moving a job before itself changes nothing', () => {
    const { s, add } = setup(1);
    add('a', 'b', 'c');
    s.move('a', { before: 'a' });
    expect(s.order()).toEqual(['a', 'b', 'c']);
  });

  it('refusals are typed, not retryable', () => {
    const { s, add } = setup(1);
    add('a');
    const codeOf = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return e instanceof FerryError ? { code: e.error.code, retryable: e.error.retryable, message: e.error.message } : e;
      }
      return null;
    };
    expect(codeOf(() => s.move('zz', { toTop: true }))).toEqual({ code: 'not_found', retryable: false, message: 'No job with id zz.' });
    expect(codeOf(() => s.move('a', {}))).toMatchObject({ code: 'bad_request', retryable: false });
    expect((codeOf(() => s.move('a', {})) as { message: string }).message).not.toBe('');
  });

  it('a run that throws is reported with its job id', async () => {
    const errors: [string | null, unknown][] = [];
    const boom = new Error('boom');
    const s = createScheduler({ target: 1, isReady: () => true, run: () => Promise.reject(boom), onError: (id, e) => errors.push([id, e]) });
    s.track('a');
    s.enqueue('a');
    await s.onIdle();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toEqual([['a', boom]]);
  });

  it('onIdle settles only when the running jobs are done', async () => {
    const { s, release, add, tick } = setup(1);
    add('a');
    await tick();
    let idle = false;
    void s.onIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    release.shift()?.();
    await tick();
    await tick();
    expect(idle).toBe(true);
  });

  it('a concurrency that is not a number falls back to 2', () => {
    const { s } = setup(Number.NaN);
    expect(s.concurrency()).toEqual({ target: 2, current: 2 });
    s.setTarget(Number.POSITIVE_INFINITY);
    expect(s.concurrency().target).toBe(2);
    s.setTarget(0);
    expect(s.concurrency().target).toBe(1);
  });
});
