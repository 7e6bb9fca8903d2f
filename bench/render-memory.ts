/**
 * (g) Memory of the local cloud's image renderer (issue 13, hole 4): a ~220 KB, 49 MP PNG through
 * rotate → flip → blur → resize, each run in a fresh child process (test/support/render-memory.ts):
 * one render, three requested at once, and four in a row (does RSS come back down?).
 * The test asserts only "one render peaks under 400 MB"; the rest are figures.
 */
import { makeBigPng, renderInChild } from '../test/support/render-memory.js';

/** Prints one bench row; `key`/`n` record a figure (`lower:` keys are better when smaller). */
export type BenchRow = (label: string, value: string, key?: string, n?: number) => void;

const LIMIT_MB = 400;

/** Runs the render-memory bench; returns true when the 400 MB bound was exceeded. */
export async function benchRenderMemory(dir: string, row: BenchRow): Promise<boolean> {
  const image = await makeBigPng(dir);
  const one = await renderInChild(image);
  const three = await renderInChild(image, { atOnce: 3 });
  const rounds = await renderInChild(image, { rounds: 4 });
  const mb = (mib: number): number => (mib * 1024 * 1024) / 1e6;
  row('(g) 49 MP render: peak RSS, one render', `${mb(one.peakRssMiB).toFixed(0)} MB (bound ${LIMIT_MB} MB; ${one.seconds.toFixed(1)} s)`, 'lower:render_peak_MB', mb(one.peakRssMiB));
  row('    RSS before / after it', `${mb(one.startRssMiB).toFixed(0)} / ${mb(one.afterRssMiB).toFixed(0)} MB`, 'lower:render_after_MB', mb(one.afterRssMiB));
  row('(g) 3 requested at once: peak RSS', `${mb(three.peakRssMiB).toFixed(0)} MB (after ${mb(three.afterRssMiB).toFixed(0)} MB, ${three.seconds.toFixed(1)} s)`, 'lower:render3_peak_MB', mb(three.peakRssMiB));
  row('(g) 4 in a row: peak RSS', `${mb(rounds.peakRssMiB).toFixed(0)} MB (after ${mb(rounds.afterRssMiB).toFixed(0)} MB)`, 'lower:render4_peak_MB', mb(rounds.peakRssMiB));
  return mb(one.peakRssMiB) >= LIMIT_MB;
}
