/**
 * Bounds of the video work: one ffmpeg per output however many ask, a concurrency cap with a
 * short queue (then 429 + Retry-After), ffmpeg killed when every asking client hung up, and
 * typed answers when ffmpeg or ffprobe is missing. The local cloud runs a logging wrapper around
 * the real ffmpeg that can hold a run at its start (a file the test removes).
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, startIkCloud, upload, type IkCloud } from './imagekit-support.js';
import { countingFfmpeg, ffmpegRuns, makeClip } from './imagekit-video-support.js';

let ik: IkCloud;
let log: string;
let hold: string;
let clip: Buffer;

beforeAll(async () => {
  const first = await startIkCloud();
  // The wrapper lives in the cloud's temp dir; restart the cloud with it configured.
  log = path.join(first.dir, 'ffmpeg.log');
  hold = path.join(first.dir, 'hold');
  const ffmpegPath = await countingFfmpeg(first.dir, log, hold);
  await first.cloud.close();
  ik = await startIkCloud({ video: { ffmpegPath, maxConcurrent: 1, maxQueued: 1 } }, first.dir);
  clip = await makeClip(path.join(ik.dir, 'clip.mp4'), { width: 320, height: 240, seconds: 1, audio: false });
  expect((await upload(ik, { file: clip, fileName: 'clip.mp4', useUniqueFileName: 'false' })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await rm(hold, { force: true });
  await ik.close();
  await rm(ik.dir, { recursive: true, force: true });
});

const until = async (what: string, check: () => Promise<boolean> | boolean): Promise<void> => {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
};
const starts = async (): Promise<number> => (await ffmpegRuns(log)).filter((e) => e.kind === 'start').length;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('video work bounds', () => {
  it('runs ffmpeg once for many requests of the same output', async () => {
    const before = await starts();
    await writeFile(hold, '');
    const answers = Promise.all([1, 2, 3, 4].map(() => get(`${ik.endpoint}/clip.mp4?tr=w-100`)));
    await until('the first run', async () => (await starts()) === before + 1);
    await rm(hold);
    const done = await answers;
    expect(done.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await starts()).toBe(before + 1);
  });

  it('caps concurrent runs, queues one more and answers 429 with Retry-After beyond that', async () => {
    const before = (await ffmpegRuns(log)).length;
    await writeFile(hold, '');
    const settled: (number | null)[] = [null, null, null];
    const answers = [120, 140, 160].map((w, i) =>
      get(`${ik.endpoint}/clip.mp4?tr=w-${w}`).then((a) => {
        settled[i] = a.status;
        return a;
      }),
    );
    // Two are held (one running, one queued); the third is refused at once.
    await until('the refused request', () => settled.includes(429));
    const refused = await answers[settled.indexOf(429)];
    expect(refused?.headers.get('retry-after')).toBe('5');
    expect(refused?.json.message).toMatch(/busy/);
    await rm(hold);
    const statuses = (await Promise.all(answers)).map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    // Never two at once: every start is followed by its own end.
    const events = (await ffmpegRuns(log)).slice(before);
    expect(events.map((e) => e.kind)).toEqual(['start', 'end', 'start', 'end']);
    expect(events[0]?.pid).toBe(events[1]?.pid);
  });

  it('kills ffmpeg when the only client hangs up, and a later request starts afresh', async () => {
    await writeFile(hold, '');
    const before = await starts();
    const controller = new AbortController();
    const request = fetch(`${ik.endpoint}/clip.mp4?tr=w-180`, { signal: controller.signal }).catch((e: unknown) => e);
    await until('the run to start', async () => (await starts()) === before + 1);
    const pid = (await ffmpegRuns(log)).filter((e) => e.kind === 'start').pop()?.pid ?? 0;
    expect(alive(pid)).toBe(true);
    controller.abort();
    await request;
    await until('ffmpeg to be killed', () => !alive(pid));
    await rm(hold);
    const again = await get(`${ik.endpoint}/clip.mp4?tr=w-180`);
    expect(again.status).toBe(200);
    const events = await ffmpegRuns(log);
    expect(events.filter((e) => e.pid === pid).map((e) => e.kind)).toEqual(['start']);
    expect(await starts()).toBe(before + 2);
  });
});

describe('missing binaries', () => {
  it('answers 501 naming ffmpeg when it is not installed', async () => {
    const dir = path.join(ik.dir, 'no-ffmpeg');
    const cloud = await startIkCloud({ video: { ffmpegPath: '/nonexistent/ffmpeg' } }, dir);
    try {
      expect((await upload(cloud, { file: clip, fileName: 'v.mp4', useUniqueFileName: 'false' })).status).toBe(200);
      const r = await get(`${cloud.endpoint}/v.mp4?tr=w-100`);
      expect(r.status).toBe(501);
      expect(r.json.message).toContain('ffmpeg');
    } finally {
      await cloud.close();
    }
  });

  it('still stores a video when ffprobe is missing, as a plain non-image', async () => {
    const dir = path.join(ik.dir, 'no-ffprobe');
    const cloud = await startIkCloud({ video: { ffprobePath: '/nonexistent/ffprobe' } }, dir);
    try {
      const r = await upload(cloud, { file: clip, fileName: 'v.mp4', useUniqueFileName: 'false' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ fileType: 'non-image', size: clip.length });
      expect(r.json.duration).toBeUndefined();
      expect((await get(r.json.url)).body.equals(clip)).toBe(true);
    } finally {
      await cloud.close();
    }
  });
});
