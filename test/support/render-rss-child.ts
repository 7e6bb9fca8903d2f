/**
 * Child of render-memory.ts: `render-rss-child.ts IMAGE OPS_JSON AT_ONCE ROUNDS` renders the image
 * and prints one JSON line (RenderMemoryReport) with its own peak RSS.
 */
import { renderImage } from '../../src-main/localcloud/processing/render.js';
import type { ImageOp } from '../../src-main/localcloud/processing/ops.js';

const [image = '', opsJson = '[]', atOnce = '1', rounds = '1'] = process.argv.slice(2);
const ops = JSON.parse(opsJson) as ImageOp[];
const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const startRssMiB = mib(process.memoryUsage.rss());
const t0 = performance.now();
const outputs: { width: number; height: number; bytes: number }[] = [];
for (let r = 0; r < Number(rounds); r++) {
  const done = await Promise.all(Array.from({ length: Number(atOnce) }, () => renderImage(image, ops)));
  outputs.push(...done.map((o) => ({ width: o.width, height: o.height, bytes: o.data.length })));
}
const seconds = (performance.now() - t0) / 1000;
// Let freed memory settle before the "after" reading.
await new Promise((resolve) => setTimeout(resolve, 500));
// maxRSS is in KiB (getrusage), and it is the high-water mark of the whole process life.
const peakRssMiB = mib(process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ peakRssMiB, startRssMiB, afterRssMiB: mib(process.memoryUsage.rss()), outputs, seconds })}\n`);
