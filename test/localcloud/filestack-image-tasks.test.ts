/**
 * The compositing Filestack tasks over real HTTP, checked on the delivered pixels: watermark,
 * collage, smart_crop (+ coords), upscale, ascii and animate (several sources).
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
let base: string; // 200x100 JPEG, white
let mark: string; // 40x20 PNG, pure red
let spot: string; // 300x200 PNG, grey with a saturated detailed patch at the right
let blue: string; // 100x100 PNG, blue
const OTHER_APP = 'OtherAppKey00000000001';

const solid = (w: number, h: number, color: string): Promise<Buffer> => sharp({ create: { width: w, height: h, channels: 3, background: color } }).png().toBuffer();

async function store(bytes: Buffer, mimetype: string, filename: string, apikey = DEFAULT_LOCAL_APIKEY): Promise<string> {
  return (await cloud.storage.putBuffer(bytes, { filename, mimetype, apikey, key: filename, path: null, container: 'c', location: 's3' })).handle;
}

async function get(route: string): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await fetch(`${cloud.baseUrl}/${route}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

async function image(route: string): Promise<{ data: Buffer; width: number; height: number; channels: number; format: string | undefined }> {
  const r = await get(route);
  expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
  const format = (await sharp(r.body).metadata()).format;
  const { data, info } = await sharp(r.body).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, format };
}

function rgb(img: { data: Buffer; width: number; channels: number }, x: number, y: number): number[] {
  const at = (y * img.width + x) * img.channels;
  return [...img.data.subarray(at, at + 3)];
}

const near = (got: number[], want: number[], tol = 40): boolean => got.every((v, i) => Math.abs(v - (want[i] ?? 0)) <= tol);

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-imgtasks-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey: DEFAULT_LOCAL_APIKEY }, { apikey: OTHER_APP }, { apikey: 'SOMEAPIKEY' }], imagekit: false });
  base = await store(await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ffffff' } }).jpeg({ quality: 95 }).toBuffer(), 'image/jpeg', 'base.jpg');
  mark = await store(await solid(40, 20, '#ff0000'), 'image/png', 'mark.png');
  blue = await store(await solid(100, 100, '#0000ff'), 'image/png', 'blue.png');
  // A saturated, busy 60x60 patch at x 220..280 on a flat grey field: attention picks it.
  const patch = await sharp({ create: { width: 60, height: 60, channels: 3, background: '#00ff00', noise: { type: 'gaussian', mean: 128, sigma: 90 } } }).png().toBuffer();
  spot = await store(await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } }).composite([{ input: patch, left: 220, top: 70 }]).png().toBuffer(), 'image/png', 'spot.png');
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

describe('the apikey segment', () => {
  it('is recognised for every configured app, whatever its shape', async () => {
    const resized = await image(`SOMEAPIKEY/resize=width:10/${mark}`);
    expect([resized.width, resized.height]).toEqual([10, 5]);
    const plain = await get(`SOMEAPIKEY/${mark}`);
    expect(plain.status).toBe(200);
    expect((await sharp(plain.body).metadata()).width).toBe(40);
    // An unknown short word is still a task name, and says so.
    const unknown = await get(`NOTANAPIKEY/${mark}`);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body.toString()).message).toMatch(/Unknown Filestack task "NOTANAPIKEY"/);
  });
});

describe('compositing tasks', () => {
  it('watermark lays the file at its position and size, and keeps the source format', async () => {
    const img = await image(`watermark=file:${mark},size:50,position:[bottom,right]/${base}`);
    expect([img.width, img.height, img.format]).toEqual([200, 100, 'jpeg']);
    // 50 %: a 20x10 red block in the bottom-right corner, white elsewhere.
    expect(near(rgb(img, 195, 95), [255, 0, 0])).toBe(true);
    expect(near(rgb(img, 175, 95), [255, 255, 255])).toBe(true);
    expect(near(rgb(img, 195, 85), [255, 255, 255])).toBe(true);
    const centred = await image(`watermark=file:${mark}/${base}`);
    expect(near(rgb(centred, 100, 50), [255, 0, 0])).toBe(true);
    expect(near(rgb(centred, 5, 5), [255, 255, 255])).toBe(true);
    // Tasks after it apply to the composite: resize then output format.
    const after = await image(`watermark=file:${mark},position:top/resize=width:100/output=format:png/${base}`);
    expect([after.width, after.height, after.format]).toEqual([100, 50, 'png']);
    expect(near(rgb(after, 50, 2), [255, 0, 0])).toBe(true);
  });

  it('watermark refuses a file of another app and a missing one', async () => {
    const foreign = await store(await solid(10, 10, '#00ff00'), 'image/png', 'foreign.png', OTHER_APP);
    expect((await get(`watermark=file:${foreign}/${base}`)).status).toBe(404);
    expect((await get(`watermark=file:AAAAAAAAAAAAAAAAAAAA/${base}`)).status).toBe(404);
    expect((await get(`watermark/${base}`)).status).toBe(400);
  });

  it('collage lays the source and files in a grid with margins on the colour', async () => {
    const img = await image(`collage=files:[${mark},${blue}],width:320,height:110,margin:10,color:00ff00/${blue}`);
    expect([img.width, img.height]).toEqual([320, 110]);
    // Three cells across (each 93x90): blue, red, blue; green margins.
    expect(near(rgb(img, 3, 50), [0, 255, 0])).toBe(true);
    expect(near(rgb(img, 55, 55), [0, 0, 255])).toBe(true);
    expect(near(rgb(img, 160, 55), [255, 0, 0])).toBe(true);
    expect(near(rgb(img, 265, 55), [0, 0, 255])).toBe(true);
    const cropped = await image(`collage=files:[${mark}],width:202,height:102,margin:1,fit:crop/${blue}`);
    // fit:crop fills both 100x100 cells completely.
    expect(near(rgb(cropped, 50, 2), [0, 0, 255])).toBe(true);
    expect(near(rgb(cropped, 150, 2), [255, 0, 0])).toBe(true);
    expect((await get(`collage=files:[${mark}]/${blue}`)).status).toBe(400);
  });

  it('smart_crop cuts around the busy patch, answers where with coords, pads a small source', async () => {
    const img = await image(`smart_crop=width:80,height:80/${spot}`);
    expect([img.width, img.height]).toEqual([80, 80]);
    const coords = await get(`smart_crop=width:80,height:80,coords:true/${spot}`);
    expect(coords.type).toMatch(/json/);
    const area = JSON.parse(coords.body.toString()) as { x: number; y: number; width: number; height: number };
    // In source pixels: the 300x200 image is scaled to 120x80 first, so the cut covers 200x200.
    expect(area).toMatchObject({ y: 0, width: 200, height: 200 });
    // A centred cut would start at x 50; this one holds the whole patch at x 220..280.
    expect(area.x).toBeGreaterThan(50);
    expect(area.x + area.width).toBeGreaterThanOrEqual(280);
    const padded = await image(`smart_crop=width:300,height:150,fill_color:ff0000/${blue}`);
    expect([padded.width, padded.height]).toEqual([300, 150]);
    expect(near(rgb(padded, 5, 75), [255, 0, 0])).toBe(true);
    expect(near(rgb(padded, 150, 75), [0, 0, 255])).toBe(true);
    expect((await get(`smart_crop=width:10,height:10,coords:true/store/${spot}`)).status).toBe(400);
  });

  it('upscale doubles width and height', async () => {
    const img = await image(`upscale/${mark}`);
    expect([img.width, img.height]).toEqual([80, 40]);
    const denoised = await image(`upscale=upscale:false,noise:low/${mark}`);
    expect([denoised.width, denoised.height]).toEqual([40, 20]);
  });

  it('ascii answers an HTML page of characters, darker cells denser', async () => {
    const half = await store(await sharp({ create: { width: 100, height: 50, channels: 3, background: '#ffffff' } }).composite([{ input: await solid(50, 50, '#000000'), left: 0, top: 0 }]).png().toBuffer(), 'image/png', 'half.png');
    const r = await get(`ascii=size:20/${half}`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
    const pre = /<pre[^>]*>([\s\S]*)<\/pre>/.exec(r.body.toString())?.[1] ?? '';
    const lines = pre.split('\n');
    expect(lines).toHaveLength(5); // 20 columns, cells twice as tall as wide
    expect(lines[0]).toBe(`${'@'.repeat(10)}${' '.repeat(10)}`);
    const reversed = /<pre[^>]*>([\s\S]*)<\/pre>/.exec((await get(`ascii=size:20,reverse:true/${half}`)).body.toString())?.[1] ?? '';
    expect(reversed.split('\n')[0]).toBe(`${' '.repeat(10)}${'@'.repeat(10)}`);
    const coloured = (await get(`ascii=size:10,colored:true/${blue}`)).body.toString();
    expect(coloured).toContain('color:#0000ff');
    expect((await get(`ascii/resize=width:10/${half}`)).status).toBe(400);
  });

  it('animate makes a GIF with one frame per source, sized and timed as asked', async () => {
    const r = await get(`animate=width:60,height:30,delay:250,loop:3/[${mark},${blue},${base}]`);
    expect(r.status, r.body.toString().slice(0, 200)).toBe(200);
    expect(r.type).toBe('image/gif');
    const m = await sharp(r.body, { animated: true }).metadata();
    expect(m).toMatchObject({ format: 'gif', pages: 3, width: 60, pageHeight: 30, loop: 3, delay: [250, 250, 250] });
    const frames = await sharp(r.body, { animated: true }).raw().toBuffer({ resolveWithObject: true });
    const frame = { data: frames.data, width: 60, channels: frames.info.channels };
    expect(near(rgb(frame, 30, 15), [255, 0, 0])).toBe(true); // frame 1: the red mark
    expect(near(rgb(frame, 30, 45), [0, 0, 255])).toBe(true); // frame 2: blue
    // Stored as a new GIF file.
    const stored = await get(`animate/store=filename:anim.gif/[${mark},${blue}]`);
    const answer = JSON.parse(stored.body.toString()) as { handle: string; type: string };
    expect(answer.type).toBe('image/gif');
    expect((await sharp((await get(answer.handle)).body, { animated: true }).metadata()).pages).toBe(2);
  });
});
