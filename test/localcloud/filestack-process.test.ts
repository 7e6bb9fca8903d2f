import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
let handle: string; // 640x480 JPEG, left red / right blue, with EXIF
let pngHandle: string;
const SECURE_KEY = 'SecureProcessAppKey001';
const SECRET = 'process-secret';
let secureHandle: string;

async function twoTone(): Promise<Buffer> {
  const half = await sharp({ create: { width: 320, height: 480, channels: 3, background: '#0000ff' } }).png().toBuffer();
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#ff0000' } })
    .composite([{ input: half, left: 320, top: 0 }])
    .withExif({ IFD0: { Copyright: 'Ferry test' } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function store(bytes: Buffer, mimetype: string, apikey = DEFAULT_LOCAL_APIKEY): Promise<string> {
  const f = await cloud.storage.putBuffer(bytes, { filename: 'pic.jpg', mimetype, apikey, key: 'k', path: null, container: 'c', location: 's3' });
  return f.handle;
}

async function get(route: string, init?: RequestInit): Promise<{ status: number; type: string; body: Buffer; length: string | null }> {
  const res = await fetch(`${cloud.baseUrl}/${route}`, init);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', body, length: res.headers.get('content-length') };
}

async function meta(route: string): Promise<Metadata> {
  const r = await get(route);
  expect(r.status, r.body.toString('utf8').slice(0, 300)).toBe(200);
  expect(Number(r.length)).toBe(r.body.length);
  return sharp(r.body).metadata();
}

async function rgbAt(route: string, x: number, y: number): Promise<number[]> {
  const r = await get(route);
  expect(r.status).toBe(200);
  const { data, info } = await sharp(r.body).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-process-');
  cloud = await startLocalCloud({
    dataDir: path.join(dir, 'cloud'),
    apps: [{ apikey: DEFAULT_LOCAL_APIKEY }, { apikey: SECURE_KEY, secret: SECRET, securityRequired: true }],
  });
  const jpg = await twoTone();
  handle = await store(jpg, 'image/jpeg');
  pngHandle = await store(await sharp(jpg).png().toBuffer(), 'image/png');
  secureHandle = await store(jpg, 'image/jpeg', SECURE_KEY);
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

describe('Filestack CDN image tasks render for real', () => {
  it('resize, crop, rotate, flip/flop and their parameters', async () => {
    expect(await meta(`resize=width:100/${handle}`)).toMatchObject({ width: 100, height: 75, format: 'jpeg' });
    expect(await meta(`resize=w:100,h:100,fit:crop/${handle}`)).toMatchObject({ width: 100, height: 100 });
    expect(await meta(`resize=width:100,height:100,fit:scale/${handle}`)).toMatchObject({ width: 100, height: 100 });
    expect(await meta(`resize=width:100,height:100/${handle}`)).toMatchObject({ width: 100, height: 75 }); // clip
    expect(await meta(`resize=width:2000,fit:max/${handle}`)).toMatchObject({ width: 640, height: 480 });
    expect(await meta(`crop=dim:[10,20,200,100]/${handle}`)).toMatchObject({ width: 200, height: 100 });
    expect(await meta(`rotate=deg:90/${handle}`)).toMatchObject({ width: 480, height: 640 });
    // flop mirrors left/right: the top-left pixel turns blue.
    const [r, , b] = await rgbAt(`flop/${handle}`, 5, 5);
    expect((b ?? 0) > 200 && (r ?? 0) < 60).toBe(true);
    const [r2] = await rgbAt(`flip/${handle}`, 5, 5);
    expect(r2 ?? 0).toBeGreaterThan(200); // flip is vertical: still red
  });

  it('answers HEAD with headers only and serves repeats identically (render cache)', async () => {
    const head = await get(`resize=width:120/${handle}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.type).toBe('image/jpeg');
    const a = await get(`resize=width:120/${handle}`);
    const b = await get(`resize=width:120/${handle}`);
    expect(Number(head.length)).toBe(a.body.length);
    expect(a.body.equals(b.body)).toBe(true);
  });

  it('chain order matters: crop then resize differs from resize then crop', async () => {
    const cropFirst = await rgbAt(`crop=dim:[0,0,320,480]/resize=width:64,height:64,fit:scale/${handle}`, 60, 30);
    const resizeFirst = await rgbAt(`resize=width:64,height:64,fit:scale/crop=dim:[0,0,320,480]/${handle}`, 60, 30);
    expect(cropFirst[0] ?? 0).toBeGreaterThan(200); // only red was kept
    expect(resizeFirst[2] ?? 0).toBeGreaterThan(200); // blue half still there
  });

  it('output formats, quality, metadata and shape tasks', async () => {
    const webp = await get(`output=format:webp/${handle}`);
    expect(webp.type).toBe('image/webp');
    expect((await sharp(webp.body).metadata()).format).toBe('webp');
    expect((await get(`output=format:png/${handle}`)).type).toBe('image/png');
    expect((await get(`output=format:avif/resize=width:64/${handle}`)).type).toBe('image/avif');
    const low = await get(`quality=value:10/${handle}`);
    const high = await get(`quality=value:95/${handle}`);
    expect(low.body.length).toBeLessThan(high.body.length);
    expect((await meta(`resize=width:64/${handle}`)).exif).toBeDefined();
    expect((await meta(`resize=width:64/no_metadata/${handle}`)).exif).toBeUndefined();
    const circle = await get(`circle/${handle}`);
    expect(circle.type).toBe('image/png');
    expect(await sharp(circle.body).metadata()).toMatchObject({ hasAlpha: true, width: 480, height: 480 });
    expect(await meta(`border=width:5,color:00FF00/${handle}`)).toMatchObject({ width: 650, height: 490 });
    expect((await meta(`rounded_corners=radius:20/${pngHandle}`)).hasAlpha).toBe(true);
    expect((await meta(`round_corners=radius:20,background:white/${handle}`)).hasAlpha).toBe(false);
  });

  it('colour effects change the pixels as expected', async () => {
    const [r, g, b] = await rgbAt(`monochrome/output=format:png/${handle}`, 5, 5);
    expect(Math.abs((r ?? 0) - (g ?? r ?? 0)) + Math.abs((r ?? 0) - (b ?? r ?? 0))).toBeLessThanOrEqual(2);
    const [n] = await rgbAt(`negative/output=format:png/${pngHandle}`, 5, 5);
    expect(n ?? 255).toBeLessThan(60); // red → cyan
    const [bw] = await rgbAt(`blackwhite=threshold:90/output=format:png/${pngHandle}`, 5, 5);
    expect(bw).toBe(0);
    const sepia = await rgbAt(`sepia=tone:100/output=format:png/${pngHandle}`, 5, 5);
    expect((sepia[0] ?? 0) > (sepia[2] ?? 0)).toBe(true);
    for (const task of ['blur=amount:4', 'sharpen=amount:3', 'pixelate=amount:10', 'modulate=brightness:150,saturation:50,hue:90', 'enhance', 'auto_image', 'compress', 'cache=false', 'rotate=deg:exif', 'output=format:jpg,quality:50,strip:true']) {
      const res = await get(`${task}/${handle}`);
      expect(res.status, `${task}: ${res.body.toString('utf8').slice(0, 200)}`).toBe(200);
    }
  });

  it('answers 400 naming the task and parameter, 400 for unsupported tasks and sources, 404 for unknown handles', async () => {
    const range = await get(`blur=amount:50/${handle}`);
    expect(range.status).toBe(400);
    expect(range.body.toString()).toMatch(/blur.*amount/);
    const unknownParam = await get(`resize=depth:3/${handle}`);
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.toString()).toMatch(/resize.*depth/);
    const unsupported = await get(`oil_paint/${handle}`);
    expect(unsupported.status).toBe(400);
    expect(JSON.parse(unsupported.body.toString()).message).toBe('Task "oil_paint" is not supported by the local cloud.');
    const faces = await get(`detect_faces/${handle}`);
    expect(faces.status).toBe(501);
    expect(JSON.parse(faces.body.toString()).message).toMatch(/^Task "detect_faces" needs a face detector/);
    expect((await get(`resize=width:10/AAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await get(`${DEFAULT_LOCAL_APIKEY}/resize=width:10/src://alias/a.jpg`)).status).toBe(400);
    expect((await get(`${DEFAULT_LOCAL_APIKEY}/resize=width:10/[${handle},${pngHandle}]`)).status).toBe(400);
    const size = await get(`resize=width:100/imagesize/${handle}`);
    expect(JSON.parse(size.body.toString())).toEqual({ width: 100, height: 75 });
    const notImage = await store(Buffer.from('hello'), 'text/plain');
    const ni = await get(`resize=width:10/${notImage}`);
    expect(ni.status).toBe(400);
    expect(JSON.parse(ni.body.toString()).code).toBe('unsupported');
  });
});

describe('Filestack processing security', () => {
  it('refuses an app with securityRequired without a valid signed task and accepts a signed one', async () => {
    expect((await get(`resize=width:50/${secureHandle}`)).status).toBe(403);
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const readOnly = createSecurity({ expiry, call: ['read'] }, SECRET);
    expect((await get(`resize=width:50/security=p:${readOnly.policy},s:${readOnly.signature}/${secureHandle}`)).status).toBe(403);
    const forged = createSecurity({ expiry, call: ['convert'] }, 'wrong-secret');
    expect((await get(`resize=width:50/security=p:${forged.policy},s:${forged.signature}/${secureHandle}`)).status).toBe(403);
    const ok = createSecurity({ expiry, call: ['convert'], handle: secureHandle }, SECRET);
    const res = await get(`resize=width:50/security=p:${ok.policy},s:${ok.signature}/${secureHandle}`);
    expect(res.status).toBe(200);
    expect((await sharp(res.body).metadata()).width).toBe(50);
    // Long form, before the tasks (Go style).
    const longForm = await get(`security=policy:${ok.policy},signature:${ok.signature}/resize=width:40/${secureHandle}`);
    expect(longForm.status).toBe(200);
  });
});
