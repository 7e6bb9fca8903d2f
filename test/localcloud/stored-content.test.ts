/**
 * A file someone uploads must never run as the local cloud's own origin: stored HTML, SVG and XML
 * are delivered with `Content-Security-Policy: sandbox` (no script, an opaque origin) and every
 * delivered file with `nosniff`, on both the Filestack CDN and ImageKit delivery. Images stay
 * plain so <img> previews keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_APIKEY } from '../../src-main/localcloud/server.js';
import { get, png, startIkCloud, upload, type IkCloud } from './imagekit-support.js';

let ik: IkCloud;
beforeAll(async () => {
  ik = await startIkCloud();
});
afterAll(async () => {
  await ik.close();
});

const PAGE = '<!doctype html><script>fetch("/api/v1/files")</script>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';

/** Stores bytes through Filestack's store API and returns the CDN link it answers. */
async function storeFilestack(bytes: Buffer | string, filename: string, type: string): Promise<string> {
  const url = `${ik.cloud.baseUrl}/api/store/S3?key=${DEFAULT_LOCAL_APIKEY}&filename=${encodeURIComponent(filename)}`;
  const res = await fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': type } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

describe('delivered user files', () => {
  it('Filestack: HTML and SVG are sandboxed, a PNG is not, all are nosniff', async () => {
    for (const [name, body, type, sandboxed] of [
      ['page.html', PAGE, 'text/html', true],
      ['drawing.svg', SVG, 'image/svg+xml', true],
      ['pixel.png', await png(2, 2, '#ff0000'), 'image/png', false],
    ] as const) {
      const res = await fetch(await storeFilestack(body, name, type));
      expect(res.status, name).toBe(200);
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), name).toBe(sandboxed ? 'sandbox' : null);
    }
  });

  it('ImageKit: an uploaded HTML page is sandboxed, an image is not', async () => {
    const page = await upload(ik, { file: Buffer.from(PAGE), fileName: 'page.html', useUniqueFileName: 'false' });
    expect(page.status).toBe(200);
    const html = await get(page.json.url);
    expect(html.headers.get('content-security-policy')).toBe('sandbox');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    const image = await upload(ik, { file: await png(2, 2, '#00ff00'), fileName: 'dot.png', useUniqueFileName: 'false' });
    const delivered = await get(image.json.url);
    expect(delivered.status).toBe(200);
    expect(delivered.headers.get('content-security-policy')).toBeNull();
  });
});
