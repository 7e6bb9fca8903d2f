/**
 * Filestack `ascii`: the image as characters in an HTML page. Each character stands for a cell
 * twice as tall as wide (text cells are), darker cells get denser characters (`reverse` flips
 * that), and `colored` paints every character with its cell's colour.
 */
import { loadSharp } from './sharp-lazy.js';

/** Options of {@link asciiArt}. */
export type AsciiOptions = {
  /** Characters per line, 10–100. */
  readonly columns: number;
  readonly foreground: string;
  readonly background: string;
  readonly colored: boolean;
  readonly reverse: boolean;
  readonly maxPixels: number;
};

/** From light to dark. */
const RAMP = ' .:-=+*#%@';

const hex = (n: number): string => n.toString(16).padStart(2, '0');
const escapeHtml = (c: string): string => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c);
const cssColour = (c: string): string => (/^#?[0-9a-f]{6}$/i.test(c) ? `#${c.replace('#', '')}` : c.replace(/[^a-z#0-9]/gi, ''));

/** The characters, one string per line (also what the HTML page shows). */
export async function asciiLines(input: Buffer | string, opts: Omit<AsciiOptions, 'foreground' | 'background'>): Promise<{ lines: string[]; colours: string[][] }> {
  const sharp = await loadSharp();
  const img = sharp(input, { limitInputPixels: opts.maxPixels, failOn: 'error' }).autoOrient();
  const meta = await sharp(input, { limitInputPixels: opts.maxPixels }).metadata();
  const [w, h] = (meta.orientation ?? 1) >= 5 ? [meta.height ?? 1, meta.width ?? 1] : [meta.width ?? 1, meta.height ?? 1];
  const cols = Math.max(1, Math.min(opts.columns, w));
  const rows = Math.max(1, Math.round((h / w) * cols * 0.5));
  const { data } = await img.flatten({ background: '#ffffff' }).resize(cols, rows, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const lines: string[] = [];
  const colours: string[][] = [];
  for (let y = 0; y < rows; y++) {
    let line = '';
    const row: string[] = [];
    for (let x = 0; x < cols; x++) {
      const i = (y * cols + x) * 3;
      const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
      const light = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
      const level = opts.reverse ? light : 1 - light;
      line += RAMP[Math.min(RAMP.length - 1, Math.floor(level * RAMP.length))] ?? ' ';
      row.push(`#${hex(r)}${hex(g)}${hex(b)}`);
    }
    lines.push(line);
    colours.push(row);
  }
  return { lines, colours };
}

/** The HTML page Filestack answers for `ascii`. */
export async function asciiArt(input: Buffer | string, opts: AsciiOptions): Promise<string> {
  const { lines, colours } = await asciiLines(input, opts);
  const body = opts.colored
    ? lines.map((line, y) => [...line].map((c, x) => `<span style="color:${colours[y]?.[x] ?? '#000'}">${escapeHtml(c)}</span>`).join('')).join('\n')
    : lines.map((l) => [...l].map(escapeHtml).join('')).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>ascii</title></head><body style="margin:0;background:${cssColour(opts.background)}"><pre style="font:8px/8px monospace;letter-spacing:1px;color:${cssColour(opts.foreground)}">${body}</pre></body></html>\n`;
}
