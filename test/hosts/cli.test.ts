import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../../src-shared/model/job.js';
import { plainReporter, ttyReporter } from '../../src-main/hosts/cli/output.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { parseCliArgs, UsageError } from '../../src-main/hosts/cli/args.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { bundleCli, jsonLines, runCliChild } from './cli-bundle.js';

/** The CLI as users run it: a separate process on the same createApp/engine, against a local cloud. */

let tmp: string;
let cloud: LocalCloud;
let bundle: { file: string; remove: () => Promise<void> };

beforeAll(async () => {
  tmp = await makeTempDir('ferry-cli-');
  [cloud, bundle] = await Promise.all([startLocalCloud({ dataDir: path.join(tmp, 'cloud') }), bundleCli()]);
});
afterAll(async () => {
  await cloud?.close();
  await bundle?.remove();
  await removeTempDir(tmp);
});

async function fetchSha(url: unknown): Promise<string> {
  const res = await fetch(String(url));
  expect(res.status).toBe(200);
  return hashBytes(Buffer.from(await res.arrayBuffer()));
}

describe('ferry CLI', () => {
  it('uploads two files with --json: two lines with working urls, exit 0; a repeat is a duplicate', async () => {
    const a = path.join(tmp, 'a.bin');
    const b = path.join(tmp, 'b b.txt');
    const bytesA = await writeRandomFile(a, 7 * 1024 * 1024 + 3);
    const bytesB = await writeRandomFile(b, 1000);
    const data = path.join(tmp, 'data-ok');
    const run = await runCliChild(bundle.file, ['upload', a, b, '--json', '--data', data, '--local-cloud', cloud.baseUrl]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(2);
    const byFile = new Map(lines.map((l) => [l.file, l]));
    expect(byFile.get(a)).toMatchObject({ state: 'done' });
    expect(byFile.get(b)).toMatchObject({ state: 'done' });
    expect(await fetchSha(byFile.get(a)?.url)).toBe(hashBytes(bytesA));
    expect(await fetchSha(byFile.get(b)?.url)).toBe(hashBytes(bytesB));

    // Same bytes, same destination: the journal's history offers the earlier link.
    const again = await runCliChild(bundle.file, ['upload', b, '--json', '--data', data, '--local-cloud', cloud.baseUrl]);
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)).toEqual([{ file: b, state: 'duplicate', url: byFile.get(b)?.url }]);

    const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
    expect(status.code).toBe(0);
    expect(jsonLines(status.stdout).map((l) => l.state).sort()).toEqual(['done', 'done', 'duplicate']);
  }, 30_000);

  it('exits 1 when a file is missing, and still uploads the others', async () => {
    const ok = path.join(tmp, 'ok.txt');
    await writeFile(ok, 'fine');
    const missing = path.join(tmp, 'nope.txt');
    const run = await runCliChild(bundle.file, ['upload', ok, missing, '--json', '--data', path.join(tmp, 'data-missing'), '--local-cloud', cloud.baseUrl]);
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines).toContainEqual({ file: missing, state: 'failed', error: 'not found' });
    expect(lines.find((l) => l.file === ok)).toMatchObject({ state: 'done' });
  }, 30_000);

  it('waits while a file is retrying and exits 1 with a JSON error once retries are spent (issue 13, hole 1)', async () => {
    // Nothing listens on this port for the whole run: every attempt is refused.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const f = path.join(tmp, 'down.bin');
    await writeRandomFile(f, 5000);
    const data = path.join(tmp, 'data-down');
    const run = await runCliChild(bundle.file, ['upload', f, '--json', '--data', data, '--local-cloud', `http://127.0.0.1:${port}`, '--retries', '1']);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout)).toEqual([{ file: f, state: 'failed', error: expect.stringContaining('ECONNREFUSED') }]);
    // Before the fix the process ended during a retry wait with exit 0, the journal saying `retrying`.
    const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
    expect(jsonLines(status.stdout)).toEqual([expect.objectContaining({ file: f, state: 'failed', bytesSent: 0, size: 5000, percent: 0 })]);
  }, 60_000);

  it('pause marks waiting jobs paused in the journal; resume finishes them', async () => {
    const data = path.join(tmp, 'data-pause');
    await mkdir(data, { recursive: true });
    const f = path.join(tmp, 'later.bin');
    const bytes = await writeRandomFile(f, 2000);
    // A destination without keys fails fast and clearly, before touching files.
    const noKeys = await runCliChild(bundle.file, ['upload', f, '--to', 'filestack', '--json', '--data', data], {
      env: { FERRY_FILESTACK_APIKEY: '' },
    });
    expect(noKeys.code).toBe(1);
    expect(jsonLines(noKeys.stdout)[0]).toMatchObject({ code: 'unauthorized', error: expect.stringContaining('FERRY_FILESTACK_APIKEY') });

    const { openJournal } = await import('../../src-main/engine/journal/sqlite-store.js');
    const j = openJournal({ dir: data });
    const now = Date.now();
    j.put({ id: 'job-1', name: 'later.bin', relativePath: null, sourcePath: f, size: 2000, destination: 'local', status: { kind: 'queued' }, bytesSent: 0, attempts: 0, createdAt: now, updatedAt: now });
    j.close();
    const paused = await runCliChild(bundle.file, ['pause', '--json', '--data', data]);
    expect(jsonLines(paused.stdout)).toEqual([{ paused: 1 }]);
    const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
    expect(jsonLines(status.stdout)[0]).toMatchObject({ id: 'job-1', state: 'paused: user' });

    const resumed = await runCliChild(bundle.file, ['resume', '--json', '--data', data, '--local-cloud', cloud.baseUrl]);
    expect(resumed.code).toBe(0);
    const [line] = jsonLines(resumed.stdout);
    expect(line).toMatchObject({ state: 'done' });
    expect(await fetchSha(line?.url)).toBe(hashBytes(bytes));
  }, 30_000);
});

describe('parseCliArgs', () => {
  it('parses commands and flags, and refuses what it does not know', () => {
    expect(parseCliArgs(['upload', 'a', '--to=filestack', '--json', '--data', '/d', '--intelligent'], {})).toEqual({
      kind: 'upload',
      files: ['a'],
      to: 'filestack',
      intelligent: true,
      common: { json: true, dataDir: '/d', localCloudUrl: null, retries: null },
    });
    expect(parseCliArgs(['resume'], { FERRY_LOCAL_CLOUD_URL: 'http://127.0.0.1:9' })).toMatchObject({ common: { localCloudUrl: 'http://127.0.0.1:9' } });
    expect(parseCliArgs(['upload', '--', '--weird-name'], {})).toMatchObject({ files: ['--weird-name'] });
    expect(parseCliArgs([], {})).toEqual({ kind: 'help' });
    expect(parseCliArgs(['upload', 'a', '--retries=0'], {})).toMatchObject({ common: { retries: 0 } });
    for (const bad of [['upload'], ['upload', 'a', '--to', 'ftp'], ['frobnicate'], ['status', 'x'], ['upload', 'a', '--colour'], ['upload', 'a', '--retries', '-1'], ['upload', 'a', '--retries', '1.5']]) {
      expect(() => parseCliArgs(bad, {})).toThrow(UsageError);
    }
  });
});

describe('CLI progress output', () => {
  const view = (id: string, bytesSent: number, kind: 'uploading' | 'queued' = 'uploading'): JobView => ({
    id, name: `${id}.bin`, relativePath: null, size: 1000, destination: 'local', status: { kind }, bytesSent, attempts: 1, createdAt: 0, updatedAt: 0, speedBps: 0, etaSeconds: null,
  });

  it('a terminal gets one bar per active file, redrawn at most 10 times a second', () => {
    vi.useFakeTimers();
    try {
      const writes: string[] = [];
      let now = 0;
      const r = ttyReporter({ write: (t: string) => writes.push(t), isTTY: true, columns: 80 }, () => now);
      for (let ms = 0; ms < 1000; ms += 5) {
        now = ms;
        r.update([view('a', ms), view('b', ms / 2)]);
        vi.advanceTimersByTime(5);
      }
      const bars = writes.filter((w) => /\[[#.]+\]/.test(w));
      const redraws = bars.length / 2;
      expect(redraws).toBeGreaterThan(3);
      expect(redraws).toBeLessThanOrEqual(11);
      expect(bars.at(-1)).toMatch(/^b\.bin .*\[#+\.+\]\s+\d+% uploading/);
      r.finish({ file: '/x/a.bin', state: 'done', url: 'http://h/1' });
      expect(writes.at(-1)).toBe('✓ /x/a.bin: done http://h/1\n');
      r.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('plain output has no escape codes and one line per state change', () => {
    const writes: string[] = [];
    const r = plainReporter({ write: (t: string) => writes.push(t) });
    r.update([view('a', 0)]);
    r.update([view('a', 500)]);
    r.finish({ file: 'a.bin', state: 'failed', error: 'not found' });
    expect(writes).toEqual(['a.bin: uploading\n', 'a.bin: failed (not found)\n']);
  });

  it('piped output carries an overall progress line with percent and bytes every 2 s', () => {
    const writes: string[] = [];
    let now = 0;
    const r = plainReporter({ write: (t: string) => writes.push(t) }, () => now);
    r.update([view('a', 0), view('b', 0)]);
    now = 1000;
    r.update([view('a', 250), view('b', 250)]);
    expect(writes.filter((w) => w.startsWith('Progress'))).toEqual([]);
    now = 2500;
    r.update([view('a', 500), view('b', 300)]);
    expect(writes.filter((w) => w.startsWith('Progress'))).toEqual(['Progress: 2 files, 40% (800 B of 2.0 KB)\n']);
  });
});
