/**
 * ImageKit video on the local cloud: ffprobe facts at upload, `tr` transcodes checked with
 * ffprobe on the delivered bytes, `ik-thumbnail.jpg`, and HLS from `ik-master.m3u8?tr=sr-…`.
 * Clips are 1.5 s and small so the whole file runs in seconds.
 */
import path from 'node:path';
import { readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUrl } from '../../src-main/protocol/imagekit/signing.js';
import { ACCOUNT, api, get, startIkCloud, upload, type IkCloud } from './imagekit-support.js';
import { audioStream, ffprobe, makeClip, videoStream } from './imagekit-video-support.js';

let ik: IkCloud;
let clip: Buffer;
let silent: Buffer;
let clipId: string;

beforeAll(async () => {
  ik = await startIkCloud();
  clip = await makeClip(path.join(ik.dir, 'clip.mp4'), { width: 640, height: 480, seconds: 1.5, audio: true });
  silent = await makeClip(path.join(ik.dir, 'silent.webm'), { width: 320, height: 240, seconds: 1, audio: false, codec: 'vp9' });
  const up = await upload(ik, { file: clip, fileName: 'clip.mp4', useUniqueFileName: 'false', folder: '/videos', responseFields: 'metadata' });
  expect(up.status).toBe(200);
  clipId = up.json.fileId as string;
  expect((await upload(ik, { file: silent, fileName: 'silent.webm', useUniqueFileName: 'false', folder: '/videos' })).status).toBe(200);
  expect((await upload(ik, { file: clip, fileName: 'private.mp4', useUniqueFileName: 'false', isPrivateFile: 'true' })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await ik.close();
});

const probe = (bytes: Buffer) => ffprobe(ik.dir, bytes);
const url = (p: string, tr?: string): string => `${ik.endpoint}${p}${tr !== undefined ? `?tr=${tr}` : ''}`;

describe('video facts (ffprobe at upload)', () => {
  it('answers width, height, duration, bit rate and codecs on upload, details and metadata', async () => {
    const list = await api(ik, 'GET', `/v1/files?searchQuery=${encodeURIComponent('name = "clip.mp4"')}`);
    const details = await api(ik, 'GET', `/v1/files/${clipId}/details`);
    const expected = { width: 640, height: 480, duration: 2, videoCodec: 'h264', audioCodec: 'aac', fileType: 'non-image', mime: 'video/mp4' };
    expect(details.json).toMatchObject(expected);
    expect(list.json[0]).toMatchObject(expected);
    expect(details.json.bitRate).toBeGreaterThan(10_000);
    expect(details.json.thumbnail).toBe(`${ik.endpoint}/tr:n-ik_ml_thumbnail/videos/clip.mp4/ik-thumbnail.jpg`);
    const meta = await api(ik, 'GET', `/v1/files/${clipId}/metadata`);
    expect(meta.json).toMatchObject({ width: 640, height: 480, duration: 2, videoCodec: 'h264', audioCodec: 'aac', format: 'mp4' });
    const silentDetails = (await api(ik, 'GET', `/v1/files?searchQuery=${encodeURIComponent('name = "silent.webm"')}`)).json[0];
    expect(silentDetails).toMatchObject({ width: 320, height: 240, duration: 1, videoCodec: 'vp9', mime: 'video/webm' });
    expect(silentDetails.audioCodec).toBeUndefined();
  });

  it('serves the stored video as is, with byte ranges for players', async () => {
    const whole = await get(url('/videos/clip.mp4'));
    expect(whole.status).toBe(200);
    expect(whole.body.equals(clip)).toBe(true);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const part = await fetch(url('/videos/clip.mp4'), { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${clip.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(clip.subarray(100, 200))).toBe(true);
  });
});

describe('video transformations (ffmpeg)', () => {
  it('resizes and re-encodes to webm (vp9 + opus)', async () => {
    const r = await get(url('/videos/clip.mp4', 'w-320,h-180,f-webm'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('video/webm');
    const p = await probe(r.body);
    expect(p.format.format_name).toContain('webm');
    expect(videoStream(p)).toMatchObject({ codec_name: 'vp9', width: 320, height: 180 });
    expect(audioStream(p)?.codec_name).toBe('opus');
  });

  it('cuts with so/du, drops audio with ac-none and keeps h264 in mp4 (path form)', async () => {
    const r = await get(`${ik.endpoint}/tr:w-200,vc-h264,ac-none,so-0.5,du-0.5/videos/clip.mp4`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('video/mp4');
    const p = await probe(r.body);
    expect(videoStream(p)).toMatchObject({ codec_name: 'h264', width: 200, height: 150 });
    expect(audioStream(p)).toBeUndefined();
    expect(Number(p.format.duration)).toBeGreaterThan(0.3);
    expect(Number(p.format.duration)).toBeLessThan(0.75);
    const eo = await probe((await get(url('/videos/clip.mp4', 'h-120,so-0.2,eo-1'))).body);
    expect(videoStream(eo)).toMatchObject({ width: 160, height: 120 });
    expect(Number(eo.format.duration)).toBeGreaterThan(0.6);
    expect(Number(eo.format.duration)).toBeLessThan(0.95);
  });

  it('maps q to encoder quality and pads with c-at_max / cm-pad_resize', async () => {
    const low = await get(url('/videos/clip.mp4', 'w-320,q-10'));
    const high = await get(url('/videos/clip.mp4', 'w-320,q-95'));
    expect(low.body.length).toBeLessThan(high.body.length);
    const pad = await probe((await get(url('/videos/clip.mp4', 'w-300,h-300,cm-pad_resize,bg-FF0000'))).body);
    expect(videoStream(pad)).toMatchObject({ width: 300, height: 300 });
    const atMax = await probe((await get(url('/videos/clip.mp4', 'w-300,h-300,c-at_max'))).body);
    expect(videoStream(atMax)).toMatchObject({ width: 300, height: 224 });
  });

  it('caches a transcode: the same URL again is the same bytes, with no second output', async () => {
    const media = path.join(ik.dir, 'cloud', 'cache', 'imagekit-media');
    const before = (await readdir(media)).length;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => get(url('/videos/silent.webm', 'w-160,f-mp4'))));
    expect(a?.status).toBe(200);
    expect(a?.body.equals(b?.body ?? Buffer.alloc(0))).toBe(true);
    expect(a?.body.equals(c?.body ?? Buffer.alloc(0))).toBe(true);
    expect((await readdir(media)).length).toBe(before + 1);
    const again = await get(url('/videos/silent.webm', 'w-160,f-mp4'));
    expect(again.body.equals(a?.body ?? Buffer.alloc(0))).toBe(true);
    expect((await readdir(media)).length).toBe(before + 1);
    expect(videoStream(await probe(again.body))).toMatchObject({ codec_name: 'h264', width: 160, height: 120 });
  });

  it.each([
    ['webm cannot carry h264', 'f-webm,vc-h264', 'webm'],
    ['unknown codec', 'vc-xyz', '"vc"'],
    ['start after the end', 'so-30', 'after the end'],
    ['eo before so', 'so-1,eo-0.5', 'after the start offset'],
    ['sr- without the master playlist', 'sr-240_360', 'ik-master.m3u8'],
    ['an image-only effect', 'w-100,e-grayscale', 'e-grayscale'],
    ['too large', 'w-9000', '"w"'],
  ])('refuses %s with 400', async (_name, tr, text) => {
    const r = await get(url('/videos/clip.mp4', tr));
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(text);
  });
});

describe('ik-thumbnail.jpg', () => {
  it('is a JPEG frame, resized by the image transformations and picked by so', async () => {
    const full = await get(url('/videos/clip.mp4/ik-thumbnail.jpg'));
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(full.body).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
    const small = await get(url('/videos/clip.mp4/ik-thumbnail.jpg', 'w-100'));
    expect(await sharp(small.body).metadata()).toMatchObject({ width: 100, height: 75 });
    // testsrc moves: the frame at 1 s differs from the first one.
    const later = await get(`${ik.endpoint}/tr:so-1,w-100/videos/clip.mp4/ik-thumbnail.jpg`);
    const [p0, p1] = await Promise.all([small, later].map((r) => sharp(r.body).raw().toBuffer()));
    expect(p0?.equals(p1 ?? Buffer.alloc(0))).toBe(false);
    const thumb = await get(`${ik.endpoint}/tr:n-ik_ml_thumbnail/videos/clip.mp4/ik-thumbnail.jpg`);
    expect(Math.max((await sharp(thumb.body).metadata()).width ?? 999)).toBeLessThanOrEqual(200);
  });

  it('works for a private video through the named thumbnail only', async () => {
    expect((await get(`${ik.endpoint}/tr:n-ik_ml_thumbnail/private.mp4/ik-thumbnail.jpg`)).status).toBe(200);
    expect((await get(`${ik.endpoint}/private.mp4/ik-thumbnail.jpg`)).status).toBe(401);
  });
});

/** The URI lines of a playlist. */
const uris = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

describe('adaptive streaming (HLS)', () => {
  it('makes one rendition per sr height, each playlist and segment fetchable, no taller than the source', async () => {
    const masterUrl = url('/videos/clip.mp4/ik-master.m3u8', 'sr-240_360_480_720_1080');
    const m = await get(masterUrl);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = m.body.toString('utf8');
    expect(text.startsWith('#EXTM3U')).toBe(true);
    expect([...text.matchAll(/RESOLUTION=(\d+)x(\d+)/g)].map((x) => Number(x[2]))).toEqual([240, 360, 480]);
    const variants = uris(text);
    expect(variants).toHaveLength(3);
    for (const [i, variant] of variants.entries()) {
      const vUrl = new URL(variant, masterUrl).href;
      const playlist = await get(vUrl);
      expect(playlist.status).toBe(200);
      const segments = uris(playlist.body.toString('utf8'));
      expect(segments.length).toBeGreaterThan(0);
      const seg = await get(new URL(segments[0] ?? '', vUrl).href);
      expect(seg.headers.get('content-type')).toBe('video/mp2t');
      const p = await probe(seg.body);
      expect(videoStream(p)).toMatchObject({ codec_name: 'h264', height: [240, 360, 480][i] });
      expect(audioStream(p)?.codec_name).toBe('aac');
    }
  });

  it('hands out signed playlist and segment URLs for a private video', async () => {
    const now = Math.floor(Date.now() / 1000);
    const master = signUrl(url('/private.mp4/ik-master.m3u8', 'sr-240_360'), { urlEndpoint: ik.endpoint, privateKey: ACCOUNT.privateKey, now, expiresInSeconds: 600 });
    expect((await get(url('/private.mp4/ik-master.m3u8', 'sr-240_360'))).status).toBe(401);
    const m = await get(master);
    expect(m.status).toBe(200);
    const variant = uris(m.body.toString('utf8'))[0] ?? '';
    expect(variant).toContain(`ik-t=${now + 600}`);
    expect(variant).toContain('ik-s=');
    const playlist = await get(variant);
    expect(playlist.status).toBe(200);
    const segment = uris(playlist.body.toString('utf8'))[0] ?? '';
    expect((await get(segment)).status).toBe(200);
    expect((await get(segment.replace(/[?&]ik-t=.*$/, ''))).status).toBe(401);
  });

  it('refuses a master playlist without sr and unknown HLS parts', async () => {
    const none = await get(url('/videos/clip.mp4/ik-master.m3u8'));
    expect(none.status).toBe(400);
    expect(none.json.message).toContain('sr-');
    expect((await get(url('/videos/clip.mp4/ik-hls/c3ItMjQw/nope.ts'))).status).toBe(404);
    expect((await get(url('/videos/clip.mp4/ik-hls/%%%/240p.m3u8'))).status).toBe(400);
  });
});
