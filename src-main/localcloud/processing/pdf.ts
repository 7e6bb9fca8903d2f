/**
 * PDF work for the Filestack document tasks: facts with poppler's `pdfinfo`, pages rendered with
 * `pdftoppm` (both from Debian's poppler-utils), page selection and paper size with pdf-lib (it
 * places each page exactly; pdftocairo turns the paper of landscape pages on its own).
 * Every tool runs with a timeout and bounded output; a missing tool is a 501 naming it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PDFDocument } from 'pdf-lib';
import { HttpError } from '../router.js';
import { loadSharp } from './sharp-lazy.js';

/** Facts about a PDF. Sizes are in points (1/72 in), after the page's own rotation. */
export type PdfInfo = {
  readonly pages: number;
  readonly pageSizes: readonly { readonly page: number; readonly width: number; readonly height: number }[];
  readonly title?: string;
  readonly author?: string;
  readonly creator?: string;
  readonly producer?: string;
  readonly encrypted: boolean;
  readonly version?: string;
};

/** Paper sizes in points, portrait (Filestack `pageformat`). */
export const PAPER_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  a2: [1191, 1684],
  a3: [842, 1191],
  a4: [595, 842],
  a5: [420, 595],
  b4: [709, 1001],
  b5: [499, 709],
  letter: [612, 792],
  legal: [612, 1008],
  tabloid: [792, 1224],
};

const TOOL_TIMEOUT_MS = 60_000;
/** Pages listed by pdfinfo at most; a bigger document still reports its full page count. */
const MAX_LISTED_PAGES = 2000;

/** Runs a poppler tool; ENOENT → 501 naming poppler-utils, a failure → 400 with its message. */
function run(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: TOOL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new HttpError(501, 'unsupported', `The local cloud needs ${bin} (Debian/Ubuntu: apt install poppler-utils) for PDF tasks.`));
      if (e.killed) return reject(new HttpError(400, 'bad_request', `${bin} took longer than ${TOOL_TIMEOUT_MS / 1000} s on this document.`));
      const reason = stderr.trim().split('\n').pop() ?? e.message;
      reject(new HttpError(400, 'bad_request', `The file is not a PDF the local cloud can read (${reason}).`));
    });
  });
}

/** `pdfinfo` of a PDF file on disk. */
export async function pdfInfo(file: string): Promise<PdfInfo> {
  const first = await run('pdfinfo', [file]);
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim() || undefined;
  const pages = Number(field('Pages') ?? '0');
  const listed = pages > 0 ? await run('pdfinfo', ['-f', '1', '-l', String(Math.min(pages, MAX_LISTED_PAGES)), file]) : '';
  const sizes = new Map<number, { width: number; height: number }>();
  for (const m of listed.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)) sizes.set(Number(m[1]), { width: Number(m[2]), height: Number(m[3]) });
  for (const m of listed.matchAll(/^Page\s+(\d+) rot:\s+(\d+)/gm)) {
    const s = sizes.get(Number(m[1]));
    if (s && Number(m[2]) % 180 === 90) sizes.set(Number(m[1]), { width: s.height, height: s.width });
  }
  const opt = (k: string, v: string | undefined): Record<string, string> => (v !== undefined ? { [k]: v } : {});
  return {
    pages,
    pageSizes: [...sizes].map(([page, s]) => ({ page, width: round2(s.width), height: round2(s.height) })),
    ...opt('title', field('Title')),
    ...opt('author', field('Author')),
    ...opt('creator', field('Creator')),
    ...opt('producer', field('Producer')),
    encrypted: (field('Encrypted') ?? 'no').startsWith('yes'),
    ...opt('version', field('PDF version')),
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Renders `pages` of `file` into `outDir` as `page-N.png|jpg`; returns the paths in page order.
 * `density` is in DPI; `maxPixels` bounds every page (a huge page at a high DPI is refused).
 */
export async function pdfToImages(
  file: string,
  outDir: string,
  opts: { pages: readonly number[]; format: 'png' | 'jpg'; density: number; quality?: number; pageSizes: PdfInfo['pageSizes']; maxPixels: number },
): Promise<string[]> {
  const out: string[] = [];
  for (const page of opts.pages) {
    const size = opts.pageSizes.find((s) => s.page === page);
    if (size && (size.width / 72) * opts.density * ((size.height / 72) * opts.density) > opts.maxPixels) {
      throw new HttpError(413, 'payload_too_large', `Page ${page} at ${opts.density} DPI exceeds the local cloud's limit of ${opts.maxPixels} pixels.`);
    }
    const prefix = path.join(outDir, `page-${page}`);
    const fmt = opts.format === 'jpg' ? ['-jpeg', ...(opts.quality !== undefined ? ['-jpegopt', `quality=${opts.quality}`] : [])] : ['-png'];
    await run('pdftoppm', [...fmt, '-r', String(opts.density), '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
    out.push(`${prefix}.${opts.format}`);
  }
  return out;
}

/** Does a rendered page have colour (any pixel whose channels differ noticeably)? */
export async function pageHasColour(png: Buffer): Promise<boolean> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i + 2 < data.length; i += info.channels) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const b = data[i + 2] ?? 0;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 12) return true;
  }
  return false;
}

/** Colour or greyscale per page, from low-resolution renders (12 DPI is enough to tell). */
export async function pdfColourInfo(file: string, workDir: string, pages: readonly number[]): Promise<{ page: number; color: boolean }[]> {
  const out: { page: number; color: boolean }[] = [];
  for (const page of pages) {
    const prefix = path.join(workDir, `colour-${page}`);
    await run('pdftoppm', ['-png', '-r', '12', '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
    out.push({ page, color: await pageHasColour(await readFile(`${prefix}.png`)) });
  }
  return out;
}

/**
 * A new PDF of `pages` (1-based, in the order given) of `pdf`; with `paper` every page becomes
 * that size (points) and its content is scaled to fit, centred, never cut.
 */
export async function pdfConvert(pdf: Buffer, opts: { pages: readonly number[]; paper?: readonly [number, number] }): Promise<Buffer> {
  // Loaded on first use, like sharp: most runs never convert a PDF.
  const { PDFDocument: Pdf } = await import('pdf-lib');
  let src: PDFDocument;
  try {
    src = await Pdf.load(pdf, { updateMetadata: false });
  } catch (err) {
    throw new HttpError(400, 'bad_request', `The file is not a PDF the local cloud can convert (${err instanceof Error ? err.message : String(err)}).`);
  }
  const out = await Pdf.create();
  const copied = await out.copyPages(src, opts.pages.map((p) => p - 1));
  for (const page of copied) {
    out.addPage(page);
    if (!opts.paper) continue;
    // A page turned by /Rotate 90|270 shows its MediaBox sideways: fit it in the paper turned too.
    const sideways = page.getRotation().angle % 180 !== 0;
    const [pw, ph] = sideways ? [opts.paper[1], opts.paper[0]] : opts.paper;
    const { width, height } = page.getSize();
    const scale = Math.min(pw / width, ph / height);
    page.scaleContent(scale, scale);
    page.translateContent((pw - width * scale) / 2, (ph - height * scale) / 2);
    page.setSize(pw, ph);
  }
  const title = src.getTitle();
  if (title !== undefined) out.setTitle(title);
  out.setProducer('Ferry local cloud');
  return Buffer.from(await out.save());
}

/** `pages:2`, `pages:[1,3-5]`, `pages:"2-4"` → page numbers; every page must exist. Default all. */
export function selectPages(value: unknown, count: number): number[] {
  if (value === undefined) return Array.from({ length: count }, (_, i) => i + 1);
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  const out: number[] = [];
  for (const item of items) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(item).trim());
    if (!m) throw new HttpError(400, 'bad_request', `pages: "${String(item)}" is not a page number or a range like 2-5.`);
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (from < 1 || to < from || to > count) throw new HttpError(400, 'bad_request', `pages: ${String(item)} is outside the document's ${count} pages.`);
    if (out.length + (to - from + 1) > MAX_LISTED_PAGES) throw new HttpError(400, 'bad_request', `pages: at most ${MAX_LISTED_PAGES} pages at once.`);
    for (let p = from; p <= to; p++) out.push(p);
  }
  return out;
}
