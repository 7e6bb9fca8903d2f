import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../../src-shared/errors.js';
import { startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { conversionToFilelink, pollConversion, startConversion, type AvConfig, type ConversionStatus } from '../../src-main/providers/filestack/av.js';
import { download } from '../../src-main/providers/filestack/file-api.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const run = promisify(execFile);
const APIKEY = 'AvTestKey0000000000001';
const SECURE_KEY = 'AvSecureKey00000000001';
const SECRET = 'av-secret';

let dir: string;
let cloud: LocalCloud;
let videoHandle: string;
let audioHandle: string;
let secureHandle: string;

async function ffprobe(file: string): Promise<{ format: { format_name: string; duration: string }; streams: { codec_type: string; width?: number; height?: number }[] }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout) as never;
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-av-');
  const video = path.join(dir, 'in.mp4');
  const audio = path.join(dir, 'in.wav');
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-y', video]);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-y', audio]);
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey: APIKEY }, { apikey: SECURE_KEY, secret: SECRET, securityRequired: true }] });
  const meta = { apikey: APIKEY, key: 'k', path: null, container: 'c', location: 's3' };
  videoHandle = (await cloud.storage.putBuffer(await readFile(video), { ...meta, filename: 'clip.mp4', mimetype: 'video/mp4' })).handle;
  audioHandle = (await cloud.storage.putBuffer(await readFile(audio), { ...meta, filename: 'tone.wav', mimetype: 'audio/wav' })).handle;
  secureHandle = (await cloud.storage.putBuffer(await readFile(video), { ...meta, apikey: SECURE_KEY, filename: 'clip.mp4', mimetype: 'video/mp4' })).handle;
}, 30_000);
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

const cfg = (): AvConfig => ({ cdnBase: cloud.baseUrl, apikey: APIKEY });
const RANK: Record<string, number> = { pending: 0, started: 1, completed: 2, failed: 2 };

async function convertAndFetch(c: AvConfig, handle: string, params: Record<string, string | number | boolean>, out: string): Promise<{ final: ConversionStatus; seen: string[] }> {
  const conv = await startConversion(c, handle, params);
  expect(conv.uuid).toMatch(/^[0-9a-f]{32}$/);
  expect(conv.timestamp).toMatch(/^\d+$/);
  const seen = [conv.status];
  const final = await pollConversion(c, conv, { initialDelayMs: 50, maxDelayMs: 200, onStatus: (s) => seen.push(s.status) });
  if (final.status === 'completed') {
    const link = conversionToFilelink(final);
    await download({ apikey: APIKEY, cdnBase: cloud.baseUrl, fileApiBase: cloud.baseUrl }, link.handle, out);
  }
  return { final, seen };
}

function expectForwardOnly(seen: readonly string[]): void {
  for (let i = 1; i < seen.length; i++) expect(RANK[seen[i] ?? ''] ?? -1).toBeGreaterThanOrEqual(RANK[seen[i - 1] ?? ''] ?? 99);
}

describe('local cloud: video_convert (spec §8) with real ffmpeg', () => {
  it('converts to webm: pending/started → completed, a stored WebM of about 1 s', async () => {
    const out = path.join(dir, 'out.webm');
    const { final, seen } = await convertAndFetch(cfg(), videoHandle, { preset: 'webm' }, out);
    expect(final.status, final.message).toBe('completed');
    expect(['pending', 'started']).toContain(seen[0]);
    expectForwardOnly(seen);
    expect(final.data?.mimetype).toBe('video/webm');
    expect(final.data?.url).toMatch(new RegExp(`^${cloud.baseUrl}/[A-Za-z0-9]{20}$`));
    const probe = await ffprobe(out);
    expect(probe.format.format_name).toContain('webm');
    expect(Number(probe.format.duration)).toBeGreaterThan(0.5);
    expect(Number(probe.format.duration)).toBeLessThan(1.6);
    expect(final.data?.size).toBe((await readFile(out)).length);
  }, 30_000);

  it('converts to mp4 with width and clip_length; the output is smaller and shorter', async () => {
    const out = path.join(dir, 'out.mp4');
    const { final, seen } = await convertAndFetch(cfg(), videoHandle, { preset: 'h264', width: 80, height: 60, clip_length: '00:00:00.5' }, out);
    expect(final.status, final.message).toBe('completed');
    expectForwardOnly(seen);
    const probe = await ffprobe(out);
    expect(probe.format.format_name).toContain('mp4');
    const v = probe.streams.find((s) => s.codec_type === 'video');
    expect(v?.width).toBe(80);
    expect(v?.height).toBe(60);
    expect(Number(probe.format.duration)).toBeLessThan(0.8);
  }, 30_000);

  it('converts audio to mp3 (no video stream)', async () => {
    const out = path.join(dir, 'out.mp3');
    const { final } = await convertAndFetch(cfg(), audioHandle, { preset: 'mp3', audio_bitrate: 64 }, out);
    expect(final.status, final.message).toBe('completed');
    const probe = await ffprobe(out);
    expect(probe.format.format_name).toBe('mp3');
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['audio']);
  }, 30_000);

  it('the same URL (GET or POST) reports the same job; other params start another', async () => {
    const a = await startConversion(cfg(), audioHandle, { preset: 'm4a' });
    const again = await fetch(a.url, { method: 'POST' });
    const body = (await again.json()) as { uuid: string; status: string; metadata: unknown; data: unknown };
    expect(body.uuid).toBe(a.uuid);
    expect(body).toHaveProperty('metadata');
    const b = await startConversion(cfg(), audioHandle, { preset: 'oga' });
    expect(b.uuid).not.toBe(a.uuid);
    const done = await pollConversion(cfg(), a, { initialDelayMs: 50, maxDelayMs: 200 });
    expect(done.uuid).toBe(a.uuid);
    await pollConversion(cfg(), b, { initialDelayMs: 50, maxDelayMs: 200 });
  }, 30_000);

  it('refuses invalid params with 400 before starting a job, and unknown handles with 404', async () => {
    const bad = await fetch(`${cloud.baseUrl}/${APIKEY}/video_convert=preset:nope/${videoHandle}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('preset');
    const missing = await fetch(`${cloud.baseUrl}/video_convert=preset:webm/AAAAAAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(404);
  });

  it('needs a policy granting convert when the app requires security', async () => {
    const c: AvConfig = { cdnBase: cloud.baseUrl };
    const denied = await startConversion(c, secureHandle, { preset: 'mp3' }).catch((e: unknown) => toAppError(e));
    expect(denied).toMatchObject({ code: 'forbidden' });
    const readOnly = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['read'] }, SECRET);
    expect(await startConversion({ ...c, security: readOnly }, secureHandle, { preset: 'mp3' }).catch((e: unknown) => toAppError(e))).toMatchObject({ code: 'forbidden' });
    const ok = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['convert'] }, SECRET);
    const conv = await startConversion({ ...c, security: ok }, secureHandle, { preset: 'mp3' });
    const final = await pollConversion({ ...c, security: ok }, conv, { initialDelayMs: 50, maxDelayMs: 200 });
    expect(final.status, final.message).toBe('completed');
  }, 30_000);

  it('reports failed with a message naming ffmpeg when the binary is missing', async () => {
    const broken = await startLocalCloud({ dataDir: path.join(dir, 'cloud2'), apps: [{ apikey: APIKEY }], filestack: { av: { ffmpegPath: path.join(dir, 'no-such-ffmpeg') } } });
    try {
      const h = (await broken.storage.putBuffer(Buffer.from('not really a video'), { apikey: APIKEY, filename: 'x.mp4', mimetype: 'video/mp4', key: 'k', path: null, container: 'c', location: 's3' })).handle;
      const c: AvConfig = { cdnBase: broken.baseUrl, apikey: APIKEY };
      const conv = await startConversion(c, h, { preset: 'webm' });
      const final = await pollConversion(c, conv, { initialDelayMs: 20, maxDelayMs: 100 });
      expect(final.status).toBe('failed');
      expect(final.message).toMatch(/ffmpeg/);
      expect(final.message).toContain('no-such-ffmpeg');
      const err = (() => {
        try {
          conversionToFilelink(final);
          return null;
        } catch (e) {
          return toAppError(e);
        }
      })();
      expect(err).toMatchObject({ code: 'server_error', retryable: false });
      expect(() => conversionToFilelink({ ...final, status: 'started' })).toThrow(/not completed/);
    } finally {
      await broken.close();
    }
  });

  it('pollConversion stops with aborted when its signal fires', async () => {
    const ac = new AbortController();
    const conv = await startConversion(cfg(), videoHandle, { preset: 'ogg' });
    const p = pollConversion(cfg(), conv, { signal: ac.signal, initialDelayMs: 5000 });
    ac.abort();
    expect(await p.catch((e: unknown) => toAppError(e))).toMatchObject({ code: 'aborted' });
    // Let the job finish so no ffmpeg outlives the test.
    await pollConversion(cfg(), conv, { initialDelayMs: 50, maxDelayMs: 200 });
  }, 30_000);
});
