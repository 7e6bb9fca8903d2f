/**
 * ImageKit layers on the local cloud (`l-image`, `l-text`, `i-ik_canvas`, nested transformations
 * and layers), checked on the delivered pixels with sharp; the URL builder's `overlay` option
 * makes the same URLs.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUrl } from '../../src-main/protocol/imagekit/signing.js';
import { buildUrl } from '../../src-shared/imagekit/url-builder.js';
import { ACCOUNT, get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;

beforeAll(async () => {
  ik = await startIkCloud();
  const put = async (file: Buffer, fileName: string, folder = '/', extra: Record<string, string> = {}): Promise<void> => {
    expect((await upload(ik, { file, fileName, folder, useUniqueFileName: 'false', ...extra })).status).toBe(200);
  };
  await put(await png(400, 300, '#0000ff'), 'base.png');
  await put(await png(400, 300, '#ffffff'), 'white.png');
  await put(await sharp({ create: { width: 400, height: 300, channels: 3, background: '#0000ff' } }).jpeg().toBuffer(), 'base.jpg');
  await put(await png(40, 40, '#ff0000'), 'logo.png', '/logos');
  await put(await png(40, 20, '#ff0000'), 'bar.png', '/logos');
  await put(await png(40, 40, '#ff0000'), 'secret.png', '/', { isPrivateFile: 'true' });
}, 30_000);
afterAll(async () => {
  await ik.close();
});

type Pixels = { width: number; height: number; at(x: number, y: number): number[]; format: string | undefined };

async function pixels(path: string, tr: string): Promise<Pixels> {
  const r = await get(`${ik.endpoint}${path}?tr=${encodeURIComponent(tr)}`);
  if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.json)}`);
  const format = (await sharp(r.body).metadata()).format;
  const { data, info } = await sharp(r.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    format,
    at: (x, y) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)],
  };
}

const RED = [255, 0, 0, 255];
const BLUE = [0, 0, 255, 255];
const GREEN = [0, 255, 0, 255];
const near = (actual: number[], expected: number[], tolerance = 8): boolean => actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= tolerance);

describe('image layers', () => {
  it('places an image at lx/ly, and in the centre by default', async () => {
    const p = await pixels('/base.png', 'l-image,i-logos@@logo.png,lx-10,ly-20,l-end');
    expect([p.width, p.height]).toEqual([400, 300]);
    expect(p.at(15, 25)).toEqual(RED);
    expect(p.at(49, 59)).toEqual(RED);
    expect(p.at(5, 5)).toEqual(BLUE);
    expect(p.at(51, 61)).toEqual(BLUE);
    const centred = await pixels('/base.png', 'l-image,i-logos@@logo.png,l-end');
    expect(centred.at(200, 150)).toEqual(RED);
    expect(centred.at(179, 150)).toEqual(BLUE);
    expect(centred.at(220, 150)).toEqual(BLUE);
  });

  it('positions with lfo, lap, lxc/lyc, arithmetic and off-canvas offsets', async () => {
    const corner = await pixels('/base.png', 'l-image,i-logos@@logo.png,lfo-bottom_right,l-end');
    expect(corner.at(399, 299)).toEqual(RED);
    expect(corner.at(359, 299)).toEqual(BLUE);
    const anchored = await pixels('/base.png', 'l-image,i-logos@@logo.png,lap-bottom_right,lx-10,ly-10,l-end');
    expect(anchored.at(389, 289)).toEqual(RED);
    expect(anchored.at(391, 291)).toEqual(BLUE);
    const centre = await pixels('/base.png', 'l-image,i-logos@@logo.png,lxc-100,lyc-100,l-end');
    expect(centre.at(81, 81)).toEqual(RED);
    expect(centre.at(119, 119)).toEqual(RED);
    expect(centre.at(121, 100)).toEqual(BLUE);
    const maths = await pixels('/base.png', 'l-image,i-logos@@logo.png,lx-bw_sub_cw,ly-0,l-end');
    expect(maths.at(399, 0)).toEqual(RED);
    expect(maths.at(359, 0)).toEqual(BLUE);
    const outside = await pixels('/base.png', 'l-image,i-logos@@logo.png,lx-N20,ly-0,l-end');
    expect(outside.at(19, 10)).toEqual(RED);
    expect(outside.at(21, 10)).toEqual(BLUE);
  });

  it('transforms the layer itself, chained steps included, after the base step', async () => {
    const small = await pixels('/base.png', 'w-200,l-image,i-logos@@logo.png,w-20,lx-0,ly-0,l-end');
    expect([small.width, small.height]).toEqual([200, 150]);
    expect(small.at(19, 19)).toEqual(RED);
    expect(small.at(21, 10)).toEqual(BLUE);
    // bar.png is 40×20; rotated in a second layer step it stands 20 wide and 40 tall.
    const rotated = await pixels('/base.png', 'l-image,i-logos@@bar.png,lx-0,ly-0:rt-90,l-end');
    expect(rotated.at(10, 35)).toEqual(RED);
    expect(rotated.at(30, 5)).toEqual(BLUE);
    const relative = await pixels('/base.png', 'l-image,i-logos@@logo.png,w-bw_div_4,lx-0,ly-0,l-end');
    expect(relative.at(99, 99)).toEqual(RED);
    expect(relative.at(101, 50)).toEqual(BLUE);
  });

  it('draws solid canvases with opacity and blends with layer modes', async () => {
    const block = await pixels('/base.png', 'l-image,i-ik_canvas,bg-00FF00,w-50,h-30,lx-0,ly-0,l-end');
    expect(block.at(10, 10)).toEqual(GREEN);
    expect(block.at(60, 10)).toEqual(BLUE);
    expect(block.at(10, 40)).toEqual(BLUE);
    const half = await pixels('/base.png', 'l-image,i-ik_canvas,bg-FF0000,w-50,h-50,al-5,lx-0,ly-0,l-end');
    const [r = 0, , b = 0] = half.at(10, 10);
    expect(r).toBeGreaterThan(100);
    expect(b).toBeGreaterThan(100);
    const multiplied = await pixels('/white.png', 'l-image,i-ik_canvas,bg-00FF00,w-50,h-50,lm-multiply,lx-0,ly-0,l-end');
    expect(multiplied.at(10, 10)).toEqual(GREEN);
    const cut = await pixels('/base.png', 'l-image,i-ik_canvas,bg-000000,w-50,h-50,lm-cutout,lx-0,ly-0,l-end');
    expect(cut.at(10, 10)?.[3]).toBe(0);
    expect(cut.at(60, 60)).toEqual(BLUE);
  });

  it('keeps the base format unless f- is set', async () => {
    expect((await pixels('/base.jpg', 'l-image,i-logos@@logo.png,l-end')).format).toBe('jpeg');
    expect((await pixels('/base.jpg', 'l-image,i-logos@@logo.png,l-end:f-png')).format).toBe('png');
  });
});

describe('text layers', () => {
  /** How many pixels in a rectangle are close to `color`. */
  const count = (p: Pixels, color: number[], x0: number, y0: number, x1: number, y1: number): number => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (near(p.at(x, y), color, 60)) n++;
    return n;
  };

  it('renders text in its colour and size where it was placed', async () => {
    const p = await pixels('/white.png', 'l-text,i-Hello,fs-40,co-FF0000,lx-10,ly-10,l-end');
    expect(count(p, RED, 10, 10, 160, 70)).toBeGreaterThan(150);
    expect(count(p, RED, 0, 100, 400, 300)).toBe(0);
    const bigger = await pixels('/white.png', 'l-text,i-Hello,fs-80,co-FF0000,lx-10,ly-10,l-end');
    expect(count(bigger, RED, 0, 0, 400, 300)).toBeGreaterThan(2 * count(p, RED, 0, 0, 400, 300));
  });

  it('pads the box on its background, wraps at w, and reads base64 (ie-) text in any script', async () => {
    const p = await pixels('/base.png', 'l-text,i-Hi,fs-20,co-FFFFFF,bg-00FF00,pa-10,lx-0,ly-0,l-end');
    expect(p.at(2, 2)).toEqual(GREEN);
    expect(p.at(2, 25)).toEqual(GREEN);
    const wide = await pixels('/base.png', 'l-text,i-Hi,fs-20,bg-00FF00,w-200,lx-0,ly-0,l-end');
    expect(wide.at(195, 5)).toEqual(GREEN);
    expect(wide.at(205, 5)).toEqual(BLUE);
    const hindi = Buffer.from('हिन्दी', 'utf8').toString('base64');
    const script = await pixels('/white.png', `l-text,ie-${hindi},fs-40,co-0000FF,lx-0,ly-0,l-end`);
    expect(count(script, BLUE, 0, 0, 200, 80)).toBeGreaterThan(100);
  });

  it('nests a text layer inside a canvas layer', async () => {
    const p = await pixels('/base.png', 'l-image,i-ik_canvas,bg-FFFFFF,w-100,h-100,l-text,i-X,fs-60,co-FF0000,l-end,lx-0,ly-0,l-end');
    expect(count(p, RED, 0, 0, 100, 100)).toBeGreaterThan(100);
    expect(count(p, RED, 100, 0, 400, 300)).toBe(0);
    expect(p.at(2, 2)).toEqual([255, 255, 255, 255]);
  });
});

describe('the URL builder overlay option', () => {
  it('builds layer URLs the local cloud renders', async () => {
    const url = buildUrl({
      urlEndpoint: ik.endpoint,
      path: '/base.png',
      transformation: [
        { width: 200, overlay: { type: 'image', input: '/logos/logo.png', position: { x: 10, y: 10 }, transformation: [{ width: 20 }] } },
        { overlay: { type: 'text', text: 'Ünïcödé, with commas', position: { focus: 'bottom' }, transformation: [{ fontSize: 20, fontColor: 'FFFFFF' }] } },
        { overlay: { type: 'solidColor', color: '00FF00', position: { x: 150, y: 0 }, transformation: [{ width: 10, height: 10 }] } },
      ],
    });
    expect(url).toContain('l-image,i-logos@@logo.png,lx-10,ly-10,w-20,l-end');
    expect(url).toContain('l-text,ie-');
    const r = await get(url);
    expect(r.status).toBe(200);
    const { data, info } = await sharp(r.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number): number[] => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
    expect([info.width, info.height]).toEqual([200, 150]);
    expect(at(15, 15)).toEqual(RED);
    expect(at(155, 5)).toEqual(GREEN);
  });
});

describe('layer errors and bounds', () => {
  it.each([
    ['a missing layer image', 'l-image,i-nope.png,l-end', 404, 'Layer image not found: /nope.png'],
    ['a private layer image on an unsigned URL', 'l-image,i-secret.png,l-end', 404, 'Layer image not found'],
    ['a video layer on an image', 'l-video,i-clip.mp4,l-end', 400, 'l-video'],
    ['displace mode', 'l-image,i-logos@@logo.png,lm-displace,l-end', 400, 'displace'],
    ['a huge font', 'l-text,i-Hi,fs-1000,l-end', 400, 'Font size'],
    ['a bad position', 'l-image,i-logos@@logo.png,lx-foo_bar,l-end', 400, 'lx'],
    ['an unknown variable', 'l-image,i-logos@@logo.png,lx-zz_add_1,l-end', 400, 'position'],
    ['a bad colour', 'l-text,i-Hi,co-notacolour!,l-end', 400, 'co'],
    ['an unknown colour name on text', 'l-text,i-Hi,co-notacolour,l-end', 400, 'could not be rendered'],
    ['an unknown colour name on a canvas', 'l-image,i-ik_canvas,bg-notacolour,w-5,h-5,l-end', 400, 'could not be rendered'],
    ['too many layers', Array.from({ length: 21 }, () => 'l-image,i-logos@@logo.png,l-end').join(','), 400, 'At most 20'],
    ['nesting too deep', 'l-image,i-ik_canvas,w-10,h-10,l-image,i-ik_canvas,w-5,h-5,l-image,i-ik_canvas,w-4,h-4,l-image,i-ik_canvas,w-2,h-2,l-end,l-end,l-end,l-end', 400, 'nested at most 3'],
  ])('refuses %s', async (_name, tr, status, text) => {
    const r = await get(`${ik.endpoint}/base.png?tr=${encodeURIComponent(tr)}`);
    expect(r.status).toBe(status);
    expect(r.json.message).toContain(text);
  });

  it('uses a private layer image on a signed URL', async () => {
    const url = signUrl(`${ik.endpoint}/base.png?tr=l-image,i-secret.png,lx-0,ly-0,l-end`, { urlEndpoint: ik.endpoint, privateKey: ACCOUNT.privateKey, now: Math.floor(Date.now() / 1000) });
    const r = await get(url);
    expect(r.status).toBe(200);
    const { data } = await sharp(r.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 4)]).toEqual(RED);
  });
});
