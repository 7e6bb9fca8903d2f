/**
 * The Filestack tasks that read their source(s) themselves rather than as one image: `zip` and
 * `animate` (several sources), `pdfinfo`, `pdfconvert`, `doc_to_images`, `minify_css`,
 * `minify_js`. Answer shapes the spec leaves open (UNCONFIRMED there), chosen here:
 * - pdfinfo → `{pages, dimensions: {width, height}}` (points, first page) plus per-page sizes,
 *   document facts and, with `colorinfo`, `{page, color}` per page;
 * - pdfconvert with `metadata:true` → the pdfinfo answer of the converted document;
 * - doc_to_images → `{pages: [{page, url, handle, width, height, mimetype, size}]}`, each page
 *   stored as a file of the source's app (asked again, the same pages are answered).
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { canonicalParams, validateStep } from '../../../src-shared/filestack/tasks.js';
import type { TaskStep, TaskValue } from '../../../src-shared/filestack/types.js';
import type { CloudContext } from '../context.js';
import { animate } from '../processing/animate.js';
import { minifyCss, minifyJs } from '../processing/minify.js';
import { PAPER_SIZES, pdfColourInfo, pdfConvert, pdfInfo, pdfToImages, selectPages, type PdfInfo } from '../processing/pdf.js';
import { renderGate } from '../processing/render-gate.js';
import { loadSharp } from '../processing/sharp-lazy.js';
import { zipStream } from '../processing/zip.js';
import { HttpError } from '../router.js';
import { asHttpError } from './image-chain.js';
import { fixedGravity } from './image-task-ops.js';
import type { ResolvedSource } from './process-source.js';
import { boolOf, filestackColor, numOf } from './process-tasks.js';
import { storeAnswer, storeBytes } from './store-file.js';

/** A document task's answer: bytes, a stream (zip) or JSON. */
export type DocumentOutput =
  | { readonly kind: 'bytes'; readonly data: Buffer; readonly mimetype: string; readonly filename: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'stream'; readonly stream: Readable; readonly mimetype: string; readonly filename: string }
  | { readonly kind: 'json'; readonly value: unknown };

/** What the tasks may use. */
export type DocumentEnv = { readonly ctx: CloudContext; readonly apikey: string; readonly maxPixels: number };

/** Largest text a minify task reads, and largest PDF pdfconvert loads into memory. */
const MAX_TEXT_BYTES = 20 * 1024 * 1024;
const MAX_PDF_BYTES = 200 * 1024 * 1024;
/** Most pages one doc_to_images call renders and stores (ask for `pages` to go further). */
const MAX_IMAGE_PAGES = 200;

type Params = Readonly<Record<string, TaskValue>>;

/** Checks a document step's parameters before any source is read. */
export function checkDocumentStep(step: TaskStep): Params {
  const checked = validateStep(step);
  if (!checked.ok) throw new HttpError(400, 'bad_request', checked.message);
  return canonicalParams(step);
}

async function bytesOf(ctx: CloudContext, src: ResolvedSource, max: number, what: string): Promise<Buffer> {
  const size = src.file?.size ?? (Buffer.isBuffer(src.input) ? src.input.length : 0);
  if (size > max) throw new HttpError(413, 'payload_too_large', `${what} reads at most ${max} bytes; the source has ${size}.`);
  return src.file ? readFile(ctx.storage.blobPath(src.file.handle)) : (src.input as Buffer);
}

/** Runs `fn` with the source as a PDF file on disk and a scratch folder, both cleaned up after. */
async function withPdf<T>(ctx: CloudContext, src: ResolvedSource, fn: (file: string, work: string) => Promise<T>): Promise<T> {
  const work = await mkdtemp(path.join(tmpdir(), 'ferry-pdf-'));
  try {
    const file = src.file ? ctx.storage.blobPath(src.file.handle) : path.join(work, 'source.pdf');
    if (!src.file) await writeFile(file, src.input as Buffer);
    const head = Buffer.alloc(5);
    const fh = await open(file, 'r');
    try {
      await fh.read(head, 0, 5, 0);
    } finally {
      await fh.close();
    }
    if (head.toString('latin1') !== '%PDF-') throw new HttpError(400, 'bad_request', `${src.filename} is not a PDF document (the local cloud converts PDFs only).`);
    return await fn(file, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function infoAnswer(info: PdfInfo, colour?: { page: number; color: boolean }[]): Record<string, unknown> {
  const first = info.pageSizes[0];
  return {
    pages: info.pages,
    dimensions: first ? { width: first.width, height: first.height } : null,
    page_dimensions: info.pageSizes,
    ...(info.title !== undefined ? { title: info.title } : {}),
    ...(info.author !== undefined ? { author: info.author } : {}),
    ...(info.producer !== undefined ? { producer: info.producer } : {}),
    encrypted: info.encrypted,
    ...(info.version !== undefined ? { pdf_version: info.version } : {}),
    ...(colour ? { colorinfo: colour } : {}),
  };
}

const stem = (name: string): string => name.replace(/\.[^.]*$/, '') || 'file';

/** doc_to_images: pages rendered and stored; a repeat of the same request answers the same files. */
async function docToImages(env: DocumentEnv, src: ResolvedSource, p: Params): Promise<DocumentOutput> {
  const format = p.format === 'jpg' ? 'jpg' : 'png';
  const memoKey = `${src.sourceKey}\u0000${JSON.stringify(p)}`;
  const memo = (env.ctx.state.get('filestack.docToImages') as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
  env.ctx.state.set('filestack.docToImages', memo);
  const earlier = memo.get(memoKey) as { handle: string }[] | undefined;
  if (earlier && (await Promise.all(earlier.map((e) => env.ctx.storage.get(e.handle)))).every(Boolean)) return { kind: 'json', value: { pages: earlier } };
  const pages = await withPdf(env.ctx, src, async (file, work) => {
    const info = await pdfInfo(file);
    const wanted = selectPages(p.pages, info.pages);
    if (wanted.length > MAX_IMAGE_PAGES) throw new HttpError(400, 'bad_request', `doc_to_images renders at most ${MAX_IMAGE_PAGES} pages at once; choose them with pages:[…].`);
    const density = numOf(p.density, 100);
    const paths = await pdfToImages(file, work, { pages: wanted, format, density, ...(typeof p.quality === 'number' ? { quality: p.quality } : {}), pageSizes: info.pageSizes, maxPixels: env.maxPixels });
    const sharp = await loadSharp();
    const out = [];
    for (const [i, page] of wanted.entries()) {
      const data = await readFile(paths[i] ?? '');
      const meta = await sharp(data).metadata();
      const mimetype = format === 'jpg' ? 'image/jpeg' : 'image/png';
      const stored = await storeBytes(env.ctx, { data, apikey: env.apikey, filename: `${stem(src.filename)}-page-${page}.${format}`, mimetype, store: {} });
      out.push({ page, ...storeAnswer(env.ctx, stored), width: meta.width, height: meta.height });
    }
    return out;
  });
  memo.set(memoKey, pages);
  return { kind: 'json', value: { pages } };
}

async function pdfConvertTask(env: DocumentEnv, src: ResolvedSource, p: Params): Promise<DocumentOutput> {
  const data = await bytesOf(env.ctx, src, MAX_PDF_BYTES, 'pdfconvert');
  return withPdf(env.ctx, src, async (file, work) => {
    const info = await pdfInfo(file);
    const pages = selectPages(p.pages, info.pages);
    const firstSize = info.pageSizes[0];
    const base = typeof p.pageformat === 'string' ? PAPER_SIZES[p.pageformat] : firstSize ? ([firstSize.width, firstSize.height] as const) : undefined;
    let paper: readonly [number, number] | undefined;
    if (base && (p.pageformat !== undefined || p.pageorientation !== undefined)) {
      const [short, long] = [Math.min(...base), Math.max(...base)];
      const orientation = p.pageorientation ?? (base[0] > base[1] ? 'landscape' : 'portrait');
      paper = orientation === 'landscape' ? [long, short] : [short, long];
    }
    const out = await pdfConvert(data, { pages, ...(paper ? { paper } : {}) });
    if (boolOf(p.metadata) === true) {
      const result = path.join(work, 'converted.pdf');
      await writeFile(result, out);
      return { kind: 'json', value: infoAnswer(await pdfInfo(result)) };
    }
    return { kind: 'bytes', data: out, mimetype: 'application/pdf', filename: `${stem(src.filename)}.pdf` };
  });
}

async function minifyTask(env: DocumentEnv, src: ResolvedSource, name: 'minify_css' | 'minify_js', p: Params): Promise<DocumentOutput> {
  const text = (await bytesOf(env.ctx, src, MAX_TEXT_BYTES, name)).toString('utf8');
  const targets = typeof p.targets === 'string' ? { targets: p.targets } : {};
  const code =
    name === 'minify_css'
      ? await minifyCss(text, targets)
      : await minifyJs(text, { ...targets, mangle: boolOf(p.mangle) !== false, keepNames: boolOf(p.keep_fn_name) === true || boolOf(p.keep_class_name) === true, removeConsole: boolOf(p.remove_console) === true });
  const mimetype = name === 'minify_css' ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
  const filename = `${stem(src.filename)}.min.${name === 'minify_css' ? 'css' : 'js'}`;
  // gzip: the bytes travel compressed and say so, so every HTTP client reads the minified text.
  if (boolOf(p.gzip) === true) return { kind: 'bytes', data: gzipSync(code), mimetype, filename, headers: { 'Content-Encoding': 'gzip' } };
  return { kind: 'bytes', data: Buffer.from(code, 'utf8'), mimetype, filename };
}

/** Runs one document task over its sources (already resolved, security already checked). */
export async function runDocumentTask(env: DocumentEnv, step: TaskStep, sources: readonly ResolvedSource[]): Promise<DocumentOutput> {
  const p = canonicalParams(step);
  const [src] = sources;
  if (!src) throw new HttpError(400, 'bad_request', 'The path has no source.');
  try {
    switch (step.name) {
      case 'zip': {
        const entries = sources.map((s) => ({ name: s.filename, mtime: new Date(s.file?.uploadedAt ?? Date.now()), ...(s.file ? { path: env.ctx.storage.blobPath(s.file.handle) } : { data: s.input as Buffer }) }));
        return { kind: 'stream', stream: zipStream(entries), mimetype: 'application/zip', filename: sources.length === 1 ? `${stem(src.filename)}.zip` : 'files.zip' };
      }
      case 'animate': {
        const fit = p.fit === 'crop' ? 'cover' : p.fit === 'scale' ? 'fill' : 'inside';
        const size = { ...(p.width !== undefined ? { width: numOf(p.width, 1) } : {}), ...(p.height !== undefined ? { height: numOf(p.height, 1) } : {}) };
        const opts = { ...size, fit, position: fixedGravity(p.align), background: filestackColor(p.background) ?? '#ffffff', delay: numOf(p.delay, 1000), loop: numOf(p.loop, 0), maxPixels: env.maxPixels } as const;
        // Frames are decoded one at a time, but the GIF holds them all: it runs alone in the render gate.
        const data = await renderGate.run(env.maxPixels, () => animate(sources.map((s) => s.input), opts));
        return { kind: 'bytes', data, mimetype: 'image/gif', filename: `${stem(src.filename)}.gif` };
      }
      case 'pdfinfo':
        return await withPdf(env.ctx, src, async (file, work) => {
          const info = await pdfInfo(file);
          const colour = boolOf(p.colorinfo) === true ? await pdfColourInfo(file, work, selectPages(undefined, Math.min(info.pages, info.pageSizes.length))) : undefined;
          return { kind: 'json', value: infoAnswer(info, colour) };
        });
      case 'pdfconvert':
        return await pdfConvertTask(env, src, p);
      case 'doc_to_images':
        return await docToImages(env, src, p);
      case 'minify_css':
      case 'minify_js':
        return await minifyTask(env, src, step.name, p);
      default:
        throw new HttpError(400, 'bad_request', `Task "${step.name}" is not supported by the local cloud.`);
    }
  } catch (err) {
    throw asHttpError(err);
  }
}
