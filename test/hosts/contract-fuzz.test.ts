import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type Channel } from '../../src-shared/ipc/channels.js';
import { dispatch, type Handlers } from '../../src-shared/ipc/dispatch.js';
import { createApp, type FerryApp } from '../../src-main/hosts/compose.js';
import { mulberry32 } from '../support/fault-proxy.js';

/**
 * Reliability matrix row 10: every channel of the contract is fuzzed with hostile payloads.
 * Each must be refused with a typed error and must never reach its handler. The channel list
 * comes from the live map, so a new channel is fuzzed without touching this file.
 */

const allChannels = Object.keys(channels) as Channel[];

/** Handlers that only count calls: the point is that none of them runs. */
function countingHandlers(calls: Map<string, number>): Handlers {
  const entries = allChannels.map((c) => [c, () => {
    calls.set(c, (calls.get(c) ?? 0) + 1);
    return null;
  }]);
  return Object.fromEntries(entries) as unknown as Handlers;
}

/** Payloads no channel accepts: every request schema is a strict object. */
function hostilePayloads(seed: number): unknown[] {
  const rand = mulberry32(seed);
  const huge = 'A'.repeat(2_000_000);
  const randomString = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0xffff))).join('');
  return [
    undefined,
    null,
    42,
    'jobs',
    true,
    [],
    [{ id: 'x' }],
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    JSON.parse('{"constructor": {"prototype": {"polluted": true}}}') as unknown,
    { id: huge },
    { id: 123 },
    { id: '../../etc/passwd' },
    { paths: 'not-an-array' },
    { paths: [huge] },
    { paths: Array.from({ length: 10_001 }, () => '/tmp/x') },
    { paths: ['/tmp/x'], destination: 'ftp' },
    { paths: ['/tmp/x'], extra: true },
    { [randomString(8)]: randomString(32) },
    { id: 'ok', [randomString(5)]: 1 },
  ];
}

describe('contract fuzz (row 10)', () => {
  it('rejects every hostile payload on every channel with a typed error and no handler call', async () => {
    const calls = new Map<string, number>();
    const handlers = countingHandlers(calls);
    let rejected = 0;
    let total = 0;
    for (const channel of allChannels) {
      for (const payload of hostilePayloads(allChannels.indexOf(channel) + 1)) {
        // Some payloads are valid for channels whose request is an empty strict object only when
        // they are `{}`; none of the hostile payloads is `{}`.
        total += 1;
        const result = await dispatch(handlers, channel, payload);
        if (!result.ok) {
          expect(result.error.code).toBe('bad_request');
          expect(typeof result.error.message).toBe('string');
          rejected += 1;
        }
      }
    }
    expect(rejected).toBe(total);
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects unknown and malformed channel names', async () => {
    const calls = new Map<string, number>();
    const handlers = countingHandlers(calls);
    for (const name of ['__proto__', 'constructor', 'toString', 'jobs:LIST', '', 'x'.repeat(10_000), 7, null, { channel: 'app:info' }]) {
      const result = await dispatch(handlers, name, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('bad_request');
    }
    expect(calls.size).toBe(0);
  });
});

describe('path policy at the boundary (row 10: paths outside allowed roots)', () => {
  let app: FerryApp;
  let dir: string;
  let allowed: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-fuzz-'));
    allowed = path.join(dir, 'allowed');
    await writeFile(path.join(dir, 'secret.txt'), 'top secret');
    await mkdir(allowed);
    await writeFile(path.join(allowed, 'ok.txt'), 'fine');
    app = await createApp({ dataDir: path.join(dir, 'data'), host: 'web', allowedRoots: [allowed] });
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses paths outside the roots, including through .. and symlinks, and queues nothing', async () => {
    await symlink(path.join(dir, 'secret.txt'), path.join(allowed, 'link-out.txt'));
    for (const p of [path.join(dir, 'secret.txt'), path.join(allowed, '..', 'secret.txt'), path.join(allowed, 'link-out.txt'), '/etc/passwd', 'relative.txt']) {
      const result = await dispatch(app.handlers, 'jobs:add-paths', { paths: [p] });
      expect(result.ok, p).toBe(false);
      if (!result.ok) expect(['forbidden', 'bad_request']).toContain(result.error.code);
    }
    expect(app.engine.list()).toHaveLength(0);
  });

  it('accepts a path inside an allowed root', async () => {
    const result = await dispatch(app.handlers, 'jobs:add-paths', { paths: [path.join(allowed, 'ok.txt')] });
    expect(result.ok).toBe(true);
    await app.engine.whenIdle();
    expect(app.engine.list().some((j) => j.name === 'ok.txt' && j.status.kind === 'done')).toBe(true);
  });
});
