/**
 * The memory check of hole 4 (issue 13), shared by its test and `npm run bench`: a 49 MP PNG
 * that compresses to ~220 KB, rendered by the local cloud's renderer in a child process whose
 * peak RSS (getrusage maxRSS) is reported.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { ImageOp } from '../../src-main/localcloud/processing/ops.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** 7000 × 7000 RGBA: flat colour with two blocks, so the file is tiny and the pixels are not. */
export async function makeBigPng(dir: string): Promise<string> {
  const block = (width: number, height: number, background: string): Promise<Buffer> =>
    sharp({ create: { width, height, channels: 3, background } }).png().toBuffer();
  const file = path.join(dir, 'big-49mp.png');
  const png = await sharp({ create: { width: 7000, height: 7000, channels: 4, background: '#f0f0e0ff' } })
    .composite([
      { input: await block(3000, 2000, '#3366cc'), left: 500, top: 700 },
      { input: await block(1500, 4000, '#cc3333'), left: 4200, top: 1800 },
    ])
    .png({ compressionLevel: 9 })
    .toBuffer();
  await writeFile(file, png);
  return file;
}

/** Three full-resolution stages that each need the whole image (rotate, flip, blur), then a resize. */
export const HEAVY_OPS: readonly ImageOp[] = [
  { op: 'rotate', degrees: 90 },
  { op: 'flip' },
  { op: 'blur', sigma: 2 },
  { op: 'resize', width: 1200, fit: 'inside' },
];

/** What the child reports; MiB throughout. */
export type RenderMemoryReport = {
  /** Peak RSS of the child over its whole life (Node and tsx included). */
  readonly peakRssMiB: number;
  /** RSS before the first render and a moment after the last one. */
  readonly startRssMiB: number;
  readonly afterRssMiB: number;
  readonly outputs: readonly { readonly width: number; readonly height: number; readonly bytes: number }[];
  readonly seconds: number;
};

/** Renders `image` `atOnce` times concurrently, `rounds` times over, in a fresh child process. */
export function renderInChild(image: string, opts: { ops?: readonly ImageOp[]; atOnce?: number; rounds?: number } = {}): Promise<RenderMemoryReport> {
  const args = [image, JSON.stringify(opts.ops ?? HEAVY_OPS), String(opts.atOnce ?? 1), String(opts.rounds ?? 1)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'render-rss-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`render child exited with ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line) as RenderMemoryReport);
    });
  });
}
