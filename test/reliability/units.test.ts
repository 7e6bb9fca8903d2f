import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStallWatchdog } from '../../src-main/net/stall.js';
import { createRateLimiter } from '../../src-main/net/throttle.js';
import { identityChange, type FileIdentity } from '../../src-main/providers/filestack/file-guard.js';
import { createConcurrencyGate, uploadParts } from '../../src-main/providers/filestack/part-pool.js';
import { DEFAULT_PART_SIZE, MAX_PARTS, partSizeFor } from '../../src-main/providers/filestack/provider.js';
import { createRetryPacer } from '../../src-main/providers/filestack/retry-loop.js';

/** The pure-ish building blocks of the reliability work, on a virtual clock where time matters. */

const GiB = 1024 ** 3;

describe('row 12: part plan for huge files', () => {
  it('never plans more than 10,000 parts and keeps the default part size while it fits', () => {
    expect(partSizeFor(6 * GiB)).toBe(DEFAULT_PART_SIZE);
    expect(Math.ceil((6 * GiB) / partSizeFor(6 * GiB))).toBe(768); // 6 GiB in 8 MiB parts
    const edge = MAX_PARTS * DEFAULT_PART_SIZE;
    for (const size of [edge - 1, edge, edge + 1, 100 * GiB, 1024 * GiB, 5 * 1024 * GiB, 5 * 1024 * GiB + 12345]) {
      const part = partSizeFor(size);
      expect(part).toBe(Math.max(DEFAULT_PART_SIZE, Math.ceil(size / MAX_PARTS)));
      expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS);
    }
  });

  it('the part pool refuses a plan of more than 10,000 parts before any I/O', async () => {
    const err = await uploadParts({
      cfg: { apikey: 'k', uploadBase: 'http://127.0.0.1:9' },
      session: { uri: '/x', region: 'r', upload_id: 'u', location_url: 'http://127.0.0.1:9' },
      source: { path: '/nonexistent', name: 'x', relativePath: null, size: 10_001 * 5, mimetype: 'application/octet-stream' },
      partSize: 5,
      concurrency: 1,
      confirmed: new Map(),
      policy: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, jitter: 0 },
      signal: new AbortController().signal,
      onProgress: () => undefined,
      onConfirmed: () => undefined,
    }).catch((e: unknown) => e);
    expect((err as { error?: { message: string } }).error?.message).toMatch(/10001-part plan/);
  });
});

describe('virtual clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rate limiter: long-run rate holds, setRate applies to waiters at once, 0 means unlimited', async () => {
    const limiter = createRateLimiter(64 * 1024, () => Date.now());
    const granted: number[] = [];
    const t0 = Date.now();
    const takes = Array.from({ length: 10 }, () => limiter.take(64 * 1024).then(() => granted.push(Date.now() - t0)));
    await vi.advanceTimersByTimeAsync(5_000);
    // 64 KiB/s: the first two slices go at once (burst + overdraft), then one a second.
    expect(granted.length).toBeGreaterThanOrEqual(5);
    expect(granted.length).toBeLessThanOrEqual(7);
    limiter.setRate(1024 * 1024); // 16 slices a second from now on
    await vi.advanceTimersByTimeAsync(1_000);
    expect(granted.length).toBe(10);
    limiter.setRate(0);
    expect(limiter.rate).toBeUndefined();
    const before = Date.now();
    await limiter.take(10 * 1024 * 1024);
    expect(Date.now()).toBe(before);
    await Promise.all(takes);
  });

  it('rate limiter: an aborted waiter leaves the queue with a typed error', async () => {
    const limiter = createRateLimiter(1024, () => Date.now());
    await limiter.take(64 * 1024);
    const ac = new AbortController();
    const waiting = limiter.take(1024, ac.signal).catch((e: unknown) => e);
    ac.abort();
    expect(((await waiting) as { error: { code: string } }).error.code).toBe('aborted');
  });

  it('stall watchdog: fires only after T without touch, never while suspended', async () => {
    const stalls: number[] = [];
    const w = startStallWatchdog(1000, (silent) => stalls.push(silent), () => Date.now());
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(900);
      w.touch();
    }
    expect(stalls).toEqual([]);
    w.suspend();
    await vi.advanceTimersByTimeAsync(5000);
    expect(stalls).toEqual([]);
    w.touch();
    await vi.advanceTimersByTimeAsync(999);
    expect(stalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(stalls).toEqual([1000]);
    w.stop();
  });

  it('retry pacer: after a failure one probe goes; the rest follow once it succeeds', async () => {
    const pacer = createRetryPacer(10);
    const signal = new AbortController().signal;
    expect(pacer.failed()).toBe(1);
    pacer.holdFor(500);
    const passed: string[] = [];
    const a = pacer.ready(signal).then(() => passed.push('a'));
    const b = pacer.ready(signal).then(() => passed.push('b'));
    await vi.advanceTimersByTimeAsync(499);
    expect(passed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(passed).toEqual(['a']); // the probe
    pacer.succeeded();
    await Promise.all([a, b]);
    expect(passed).toEqual(['a', 'b']);
  });

  it('retry pacer: the failure budget is fixed', () => {
    const pacer = createRetryPacer(3);
    expect([pacer.failed(), pacer.failed(), pacer.failed(), pacer.failed()]).toEqual([1, 2, 3, null]);
  });
});

describe('concurrency gate', () => {
  it('halves on pushback (min 1) and grows back one step per 2 × limit successes', async () => {
    const limits: number[] = [];
    const gate = createConcurrencyGate(4, (l) => limits.push(l));
    const signal = new AbortController().signal;
    const held = await Promise.all([gate.acquire(signal), gate.acquire(signal), gate.acquire(signal), gate.acquire(signal)]);
    gate.backOff();
    gate.backOff();
    gate.backOff();
    expect(limits).toEqual([2, 1]);
    for (const release of held) release();
    expect(gate.active).toBe(0);
    const one = await gate.acquire(signal);
    let second = false;
    void gate.acquire(signal).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false); // limit 1
    gate.succeeded();
    gate.succeeded();
    await new Promise((r) => setImmediate(r));
    expect(gate.limit).toBe(2);
    expect(second).toBe(true);
    one();
    for (let i = 0; i < 4; i++) gate.succeeded();
    expect(limits).toEqual([2, 1, 2, 3]);
  });
});

describe('file identity', () => {
  const base: FileIdentity = { size: 10, mtimeNs: 5n, dev: 1n, ino: 7n };
  it('names what changed: inode before size before mtime', () => {
    expect(identityChange(base, { ...base })).toBeNull();
    expect(identityChange(base, { ...base, mtimeNs: 6n })).toBe('mtime');
    expect(identityChange(base, { ...base, size: 11, mtimeNs: 6n })).toBe('size');
    expect(identityChange(base, { ...base, ino: 8n, size: 11 })).toBe('inode');
  });
});
