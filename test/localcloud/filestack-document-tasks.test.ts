/**
 * The Filestack document tasks over real HTTP, checked on the delivered bytes: zip entries,
 * PDF page counts and sizes (poppler's pdfinfo), page images (sharp), minified CSS/JS, fallback.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { DEFAULT_LOCAL_APIKEY, startLocalCloud, type LocalCloud } from '../../src-main/localcloud/server.js';
import { createSecurity } from '../../src-main/protocol/filestack/signing.js';
import { makePdf } from '../support/pdf.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

let dir: string;
let cloud: LocalCloud;
let pdf: string; // letter (red), A4 (grey), A4 landscape (blue)
let css: string;
let js: string;
let text: string;
let png: string;
const SECURE = 'SecureDocAppKey0000001';
const SECRET = 'doc-secret';

async function store(bytes: Buffer, mimetype: string, filename: string, apikey = DEFAULT_LOCAL_APIKEY): Promise<string> {
  return (await cloud.storage.putBuffer(bytes, { filename, mimetype, apikey, key: filename, path: null, container: 'c', location: 's3' })).handle;
}

async function get(route: string): Promise<{ status: number; type: string; headers: Headers; body: Buffer }> {
  const res = await fetch(`${cloud.baseUrl}/${route}`, { headers: { 'Accept-Encoding': 'identity' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function json(route: string): Promise<Record<string, unknown>> {
  const r = await get(route);
  expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
  return JSON.parse(r.body.toString()) as Record<string, unknown>;
}

/** Entries of a zip archive: name → bytes. */
function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Page count and sizes of PDF bytes, read by poppler itself. */
async function popplerInfo(bytes: Buffer): Promise<{ pages: number; sizes: string[] }> {
  const file = path.join(dir, `check-${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, bytes);
  const out = execFileSync('pdfinfo', ['-f', '1', '-l', '100', file], { encoding: 'utf8' });
  return { pages: Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]), sizes: [...out.matchAll(/size:\s+([\d.]+ x [\d.]+)/g)].map((m) => m[1] ?? '') };
}

beforeAll(async () => {
  dir = await makeTempDir('ferry-fs-docs-');
  cloud = await startLocalCloud({ dataDir: path.join(dir, 'cloud'), apps: [{ apikey: DEFAULT_LOCAL_APIKEY }, { apikey: SECURE, secret: SECRET, securityRequired: true }], imagekit: false });
  pdf = await store(
    makePdf([
      { width: 612, height: 792, rgb: [1, 0, 0] },
      { width: 595, height: 842, rgb: [0.5, 0.5, 0.5] },
      { width: 842, height: 595, rgb: [0, 0, 1] },
    ]),
    'application/pdf',
    'report.pdf',
  );
  css = await store(Buffer.from('/* c */\n.a {\n  color: #ff0000;\n}\n.b { color: red }\n'), 'text/css', 'site.css');
  js = await store(Buffer.from('function add(first, second) {\n  console.log("adding");\n  return first + second;\n}\nexport const total = add(1, 2) ?? 0;\n'), 'text/javascript', 'app.js');
  text = await store(Buffer.from('hello zip'), 'text/plain', 'hello.txt');
  png = await store(await sharp({ create: { width: 30, height: 20, channels: 3, background: '#00ff00' } }).png().toBuffer(), 'image/png', 'hello.txt');
});
afterAll(async () => {
  await cloud.close();
  await removeTempDir(dir);
});

describe('zip and multi-file sources', () => {
  it('zips several handles with their names (repeats kept apart) and one handle alone', async () => {
    const r = await get(`zip/[${text},${pdf},${png}]`);
    expect(r.status, r.body.toString().slice(0, 200)).toBe(200);
    expect(r.type).toBe('application/zip');
    const entries = await unzip(r.body);
    expect([...entries.keys()]).toEqual(['hello.txt', 'report.pdf', 'hello (2).txt']);
    expect(entries.get('hello.txt')?.toString()).toBe('hello zip');
    expect((await sharp(entries.get('hello (2).txt')).metadata()).width).toBe(30);
    const one = await unzip((await get(`${DEFAULT_LOCAL_APIKEY}/zip/${text}`)).body);
    expect([...one.keys()]).toEqual(['hello.txt']);
    const stored = await json(`zip/store=filename:bundle.zip/[${text},${css}]`);
    expect(stored).toMatchObject({ filename: 'bundle.zip', type: 'application/zip' });
    expect([...(await unzip((await get(String(stored.handle))).body)).keys()]).toEqual(['hello.txt', 'site.css']);
  });

  it('tells the truth about multi-file sources without a multi-file task', async () => {
    const bare = await get(`[${text},${pdf}]`);
    expect(bare.status).toBe(400);
    expect(JSON.parse(bare.body.toString()).message).toMatch(/multi-file source.*zip or animate/);
    const wrong = await get(`resize=width:10/[${png},${png}]`);
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body.toString()).message).toMatch(/"resize" takes one file/);
    expect((await get(`zip/[${text},AAAAAAAAAAAAAAAAAAAA]`)).status).toBe(404);
  });
});

describe('PDF tasks (poppler + pdf-lib)', () => {
  it('pdfinfo answers pages, sizes and, with colorinfo, colour per page', async () => {
    const info = await json(`pdfinfo/${pdf}`);
    expect(info).toMatchObject({ pages: 3, dimensions: { width: 612, height: 792 }, title: 'Ferry test', encrypted: false });
    expect(info.page_dimensions).toEqual([
      { page: 1, width: 612, height: 792 },
      { page: 2, width: 595, height: 842 },
      { page: 3, width: 842, height: 595 },
    ]);
    const colour = await json(`pdfinfo=colorinfo:true/${pdf}`);
    expect(colour.colorinfo).toEqual([
      { page: 1, color: true },
      { page: 2, color: false },
      { page: 3, color: true },
    ]);
    const notPdf = await get(`pdfinfo/${css}`);
    expect(notPdf.status).toBe(400);
    expect(JSON.parse(notPdf.body.toString()).message).toMatch(/not a PDF/);
  });

  it('pdfconvert picks pages and sets the paper format and orientation', async () => {
    const picked = await get(`pdfconvert=pages:[3,1]/${pdf}`);
    expect(picked.type).toBe('application/pdf');
    expect(await popplerInfo(picked.body)).toEqual({ pages: 2, sizes: ['842 x 595', '612 x 792'] });
    const a4 = await get(`pdfconvert=pageformat:a4,pageorientation:landscape,pages:["1-2"]/${pdf}`);
    expect(await popplerInfo(a4.body)).toEqual({ pages: 2, sizes: ['842 x 595', '842 x 595'] });
    const meta = await json(`pdfconvert=pageformat:letter,metadata:true/${pdf}`);
    expect(meta).toMatchObject({ pages: 3, dimensions: { width: 612, height: 792 } });
    expect((await get(`pdfconvert=pages:[9]/${pdf}`)).status).toBe(400);
    const stored = await json(`pdfconvert=pages:[2]/store/${pdf}`);
    expect((await popplerInfo((await get(String(stored.handle))).body)).pages).toBe(1);
  });

  it('doc_to_images stores each page as an image and answers the same files when asked again', async () => {
    const first = await json(`doc_to_images=pages:[1,3],density:36,format:jpg/${pdf}`);
    const pages = first.pages as { page: number; handle: string; url: string; width: number; height: number; mimetype: string }[];
    expect(pages.map((p) => [p.page, p.width, p.height, p.mimetype])).toEqual([
      [1, 306, 396, 'image/jpeg'],
      [3, 421, 298, 'image/jpeg'],
    ]);
    const page3 = await get(pages[1]?.handle ?? '');
    const { data } = await sharp(page3.body).resize(1, 1, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    expect(data[2]).toBeGreaterThan(150); // blue page
    expect(pages[0]?.url).toBe(`${cloud.baseUrl}/${pages[0]?.handle ?? ''}`);
    expect((await json(`doc_to_images=pages:[1,3],density:36,format:jpg/${pdf}`)).pages).toEqual(first.pages);
  });
});

describe('minify_css and minify_js', () => {
  it('minifies CSS with lightningcss, gzip on request', async () => {
    const r = await get(`minify_css/${css}`);
    expect(r.type).toMatch(/^text\/css/);
    expect(r.body.toString()).toBe('.a,.b{color:red}');
    // Raw bytes off the wire (fetch would decode them).
    const gz = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      http.get(`${cloud.baseUrl}/minify_css=gzip:true/${css}`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe('.a,.b{color:red}');
  });

  it('minifies JS with esbuild: mangling, console removal, browserslist targets with a raw %', async () => {
    const plain = (await get(`minify_js/${js}`)).body.toString();
    expect(plain).not.toContain('first');
    expect(plain).toContain('console.log');
    expect((await get(`minify_js=remove_console:true/${js}`)).body.toString()).not.toContain('console');
    expect((await get(`minify_js=mangle:false/${js}`)).body.toString()).toContain('first');
    // `> 1%` with the space encoded and the % raw, as a hand-written URL carries it.
    const old = await fetch(`${cloud.baseUrl}/minify_js=targets:ie%2011/${js}`);
    expect(await old.text()).not.toContain('??');
    const raw = await fetch(`${cloud.baseUrl}/minify_js=targets:>%201%/${js}`);
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain('??');
    const broken = await store(Buffer.from('function ('), 'text/javascript', 'broken.js');
    const bad = await get(`minify_js/${broken}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).message).toMatch(/minify_js: .* at line 1/);
  });
});

describe('fallback', () => {
  it('answers the fallback file when the chain fails, with its cache time', async () => {
    const missing = await get(`fallback=handle:${png},cache:60/resize=width:10/AAAAAAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(200);
    expect(missing.headers.get('cache-control')).toBe('public, max-age=60');
    expect((await sharp(missing.body).metadata()).width).toBe(30);
    const failing = await get(`fallback=file:${text}/pdfinfo/${css}`);
    expect(failing.body.toString()).toBe('hello zip');
    const ok = await get(`fallback=handle:${text}/resize=width:10/${png}`);
    expect((await sharp(ok.body).metadata()).width).toBe(10);
  });

  it('does not turn a refused read into the fallback file', async () => {
    const secret = await store(Buffer.from('secret'), 'text/plain', 's.txt', SECURE);
    const spare = await store(Buffer.from('spare'), 'text/plain', 'spare.txt', SECURE);
    expect((await get(`fallback=handle:${spare}/zip/${secret}`)).status).toBe(403);
    const sec = createSecurity({ expiry: Math.floor(Date.now() / 1000) + 600, call: ['convert', 'read'] }, SECRET);
    const allowed = await get(`security=p:${sec.policy},s:${sec.signature}/fallback=handle:${spare}/pdfinfo/${secret}`);
    expect(allowed.body.toString()).toBe('spare');
  });
});
