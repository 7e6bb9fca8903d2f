import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../src-main/engine/journal/sqlite-store.js';
import { DEFAULT_PART_SIZE } from '../../src-main/providers/filestack/provider.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { mulberry32 } from '../support/fault-proxy.js';
import { hashBytes, writeRandomFile } from '../support/files.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { bundleCli, jsonLines, ROOT, runCliChild, type ChildResult } from './cli-bundle.js';

/**
 * Issue 11 "one Ferry, one local cloud" with real processes: the app is the browser-mode host
 * (a child process on a temp data folder), `ferry` is the bundled CLI, a second launch is
 * another web host process.
 */

const URL_LINE = /Ferry is running in browser mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

let tmp: string;
let bundle: { file: string; remove: () => Promise<void> };

beforeAll(async () => {
  tmp = await makeTempDir('ferry-instance-app-');
  bundle = await bundleCli();
});
afterAll(async () => {
  await bundle?.remove();
  await removeTempDir(tmp);
});

function webHost(args: string[]): { proc: ChildProcess; result: Promise<ChildResult>; url: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src-main/hosts/web/main.ts', '--static', path.join(tmp, 'no-renderer'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let found: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (found = resolve));
  proc.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
    const m = URL_LINE.exec(stdout);
    if (m?.[1]) found(m[1]);
  });
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const result = new Promise<ChildResult>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const ready = Promise.race([url, result.then((r) => Promise.reject(new Error(`host exited ${r.code}: ${r.stdout} ${r.stderr}`)))]);
  // A second launch exits by design; only a caller that waits for the URL hears about it.
  ready.catch(() => undefined);
  return { proc, result, url: ready };
}

async function sha(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return hashBytes(Buffer.from(await res.arrayBuffer()));
}

/** A folder of `n` small random files; returns path → sha256. */
async function folderOf(dir: string, n: number, size = 3000): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `f${String(i).padStart(3, '0')}.bin`);
    out.set(f, hashBytes(await writeRandomFile(f, size)));
  }
  return out;
}

describe('with the app running', () => {
  let data: string;
  let app: ReturnType<typeof webHost>;
  let appUrl: string;
  beforeAll(async () => {
    data = path.join(tmp, 'app-data');
    app = webHost(['--port', '0', '--data', data]);
    appUrl = await app.url;
  }, 60_000);
  afterAll(async () => {
    app?.proc.kill('SIGTERM');
    await app?.result;
  });

  it('ferry upload goes through the app: its cloud serves the links after the CLI exits, the port file is unchanged', async () => {
    const portFile = path.join(data, 'localcloud', 'port');
    const portBefore = await readFile(portFile, 'utf8');
    const files = await folderOf(path.join(tmp, 'album'), 3);
    const single = path.join(tmp, 'single.bin');
    files.set(single, hashBytes(await writeRandomFile(single, 7 * 1024 * 1024 + 11)));
    const run = await runCliChild(bundle.file, ['upload', path.join(tmp, 'album'), single, '--json', '--data', data]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.file).sort()).toEqual([...files.keys()].sort());
    // The CLI has exited: whatever serves these links now is the app's own local cloud.
    for (const line of lines) {
      expect(line.state).toBe('done');
      expect(new URL(String(line.url)).port).toBe(portBefore.trim());
      expect(await sha(String(line.url))).toBe(files.get(String(line.file)));
    }
    expect(await readFile(portFile, 'utf8')).toBe(portBefore);
    // Same journal: `status` (through the app) lists them with bytes and percent.
    const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
    const rows = jsonLines(status.stdout);
    expect(rows.filter((r) => r.state === 'done' && r.percent === 100 && r.bytesSent === r.size)).toHaveLength(4);
  }, 60_000);

  it('a second launch hands its file to the running app, prints its URL and exits', async () => {
    const file = path.join(tmp, 'handed.bin');
    const digest = hashBytes(await writeRandomFile(file, 4000));
    const second = webHost(['--port', '0', '--data', data, file]);
    const r = await second.result;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Ferry is already running: ${appUrl}`);
    expect(r.stdout).toContain('Handed it 1 file(s) to upload.');
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && row?.state !== 'done'; i++) {
      const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
      row = jsonLines(status.stdout).find((l) => l.file === 'handed.bin');
      if (row?.state !== 'done') await new Promise((res) => setTimeout(res, 100));
    }
    expect(row).toMatchObject({ state: 'done' });
    expect(await sha(String(row?.url))).toBe(digest);
  }, 60_000);

  it('a ferry killed before the app had its paths: resume, through the app, queues and finishes them', async () => {
    const dir = path.join(tmp, 'killed-early');
    const files = await folderOf(dir, 40, 500);
    await mkdir(path.join(data, 'intents'), { recursive: true });
    let killed = false;
    const run = await runCliChild(bundle.file, ['upload', dir, '--json', '--data', data], {
      onSpawn: (kill) => {
        const watcher = watch(path.join(data, 'intents'), (_event, name) => {
          if (!String(name).endsWith('.json') || killed) return;
          killed = true;
          kill();
          watcher.close();
        });
      },
    });
    expect(run.signal).toBe('SIGKILL');
    const resumed = await runCliChild(bundle.file, ['resume', '--json', '--data', data]);
    expect(resumed.code).toBe(0);
    const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
    const done = new Map(jsonLines(status.stdout).filter((l) => l.state === 'done').map((l) => [l.file, l.url]));
    for (const [file, digest] of files) {
      const url = done.get(`killed-early/${path.basename(file)}`);
      expect(url, file).toBeDefined();
      expect(await sha(String(url))).toBe(digest);
    }
  }, 60_000);
});

type KillAt = 'intent' | 'first-part' | 'random';

describe('no app running: the CLI owns the folder, SIGKILLed at random points', () => {
  let cloud: LocalCloud;
  let onPart: (() => void) | null = null;
  beforeAll(async () => {
    // A cloud of the test's own, so it outlives every kill.
    cloud = await startLocalCloud({ dataDir: path.join(tmp, 'cloud'), hooks: { beforePartAnswer: async () => onPart?.() } });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  async function round(n: number, at: KillAt, delayMs: number, removeOne: boolean): Promise<'ran-through' | 'resumed' | 'named' | 'before-recording'> {
    const data = path.join(tmp, `headless-${n}`);
    const src = path.join(tmp, `src-${n}`);
    const files = await folderOf(src, 15);
    const big = path.join(tmp, `big-${n}.bin`);
    // Over one part, so it goes up multipart and the first-part kill has a part to hit.
    files.set(big, hashBytes(await writeRandomFile(big, DEFAULT_PART_SIZE + 1024 * 1024 + 5)));
    await mkdir(path.join(data, 'intents'), { recursive: true });
    let recorded = false;
    const watcher = watch(path.join(data, 'intents'), (_event, name) => {
      if (String(name).endsWith('.json')) recorded = true;
    });
    const run = await runCliChild(bundle.file, ['upload', src, big, '--json', '--data', data, '--local-cloud', cloud.baseUrl], {
      onSpawn: (kill) => {
        if (at === 'random') setTimeout(kill, delayMs);
        if (at === 'first-part') onPart = () => ((onPart = null), kill());
        if (at === 'intent') {
          const w = watch(path.join(data, 'intents'), (_event, name) => {
            if (!String(name).endsWith('.json')) return;
            w.close();
            kill();
          });
        }
      },
    });
    onPart = null;
    watcher.close();
    if (run.signal !== 'SIGKILL') {
      // The kill came after the command had finished: nothing to check but its own result.
      expect(run.code, `${at} ${delayMs}: ${run.stdout} ${run.stderr}`).toBe(0);
      return 'ran-through';
    }
    // A file named on the command line (not one inside the folder: a folder is read as it is now).
    const gone = removeOne ? big : undefined;
    if (gone) await rm(gone);
    const resumed = await runCliChild(bundle.file, ['resume', '--json', '--data', data, '--local-cloud', cloud.baseUrl]);
    const journal = openJournal({ dir: data });
    const jobs = journal.loadAll();
    journal.close();
    if (!recorded && jobs.length === 0) {
      // Killed while Node was still starting, before the command recorded anything.
      expect(resumed.code, `${at} ${delayMs}`).toBe(0);
      expect(resumed.stderr, `${at} ${delayMs}`).toContain('Nothing to resume.');
      return 'before-recording';
    }
    const failed = jsonLines(resumed.stdout).filter((l) => l.state !== 'done' && l.state !== 'duplicate');
    const why = `${at} ${delayMs}: resume said ${resumed.stdout} ${resumed.stderr}`;
    if (gone) {
      expect(resumed.code, why).toBe(1);
      expect(failed.map((l) => l.file), why).toEqual([gone]);
    } else {
      expect(failed, why).toEqual([]);
      expect(resumed.code, why).toBe(0);
    }
    for (const [file, digest] of files) {
      if (file === gone) continue;
      const job = jobs.find((j) => j.sourcePath === file && j.status.kind === 'done');
      expect(job, `${at} ${delayMs}: ${file}`).toBeDefined();
      if (job?.status.kind === 'done') expect(await sha(job.status.result.url)).toBe(digest);
    }
    return gone ? 'named' : 'resumed';
  }

  it('resume finishes every file, or exits non-zero naming the one it could not', async () => {
    const random = mulberry32(Number(process.env.INSTANCE_KILL_SEED ?? 11));
    const plan: [KillAt, number, boolean][] = [
      ['intent', 0, false],
      ['first-part', 0, false],
      ['intent', 0, true],
      // INSTANCE_KILL_ROUNDS=20 for a longer soak of random points.
      ...Array.from({ length: Number(process.env.INSTANCE_KILL_ROUNDS ?? 2) }, (): [KillAt, number, boolean] => ['random', Math.floor(random() * 2500), false]),
    ];
    const seen: string[] = [];
    for (const [i, [at, delay, removeOne]] of plan.entries()) seen.push(`${at}:${delay}:${await round(i, at, delay, removeOne)}`);
    console.log(`kill rounds: ${seen.join(' ')}`);
    // The deterministic points must have hit a running command, not a finished one.
    expect(seen.slice(0, 3).map((s) => s.split(':')[2])).toEqual(['resumed', 'resumed', 'named']);
  }, 180_000);
});

describe('opening the app after a killed ferry', () => {
  it('queues and finishes what the killed ferry recorded, without `resume`', async () => {
    const data = path.join(tmp, 'reopen-data');
    const dir = path.join(tmp, 'reopen-album');
    const files = await folderOf(dir, 5, 700);
    await mkdir(path.join(data, 'intents'), { recursive: true });
    let killed = false;
    // No app runs: this ferry owns the folder headless and dies right after recording its intent.
    const run = await runCliChild(bundle.file, ['upload', dir, '--json', '--data', data], {
      onSpawn: (kill) => {
        const watcher = watch(path.join(data, 'intents'), (_event, name) => {
          if (!String(name).endsWith('.json') || killed) return;
          killed = true;
          kill();
          watcher.close();
        });
      },
    });
    expect(run.signal).toBe('SIGKILL');
    const app = webHost(['--port', '0', '--data', data]);
    try {
      await app.url;
      let done = new Map<unknown, unknown>();
      for (let i = 0; i < 300 && done.size < files.size; i++) {
        const status = await runCliChild(bundle.file, ['status', '--json', '--data', data]);
        done = new Map(jsonLines(status.stdout).filter((l) => l.state === 'done').map((l) => [l.file, l.url]));
        if (done.size < files.size) await new Promise((res) => setTimeout(res, 100));
      }
      for (const [file, digest] of files) {
        const url = done.get(`reopen-album/${path.basename(file)}`);
        expect(url, file).toBeDefined();
        expect(await sha(String(url))).toBe(digest);
      }
    } finally {
      app.proc.kill('SIGTERM');
      await app.result;
    }
  }, 90_000);
});
