/**
 * Writes small, valid PDFs for tests: one page per entry, each filled with a colour (RGB 0–1),
 * so page counts, sizes and colour/grey pages can be checked after processing.
 */

/** One page: size in points and the colour of a rectangle drawn over most of it. */
export type TestPage = { readonly width: number; readonly height: number; readonly rgb: readonly [number, number, number] };

/** A PDF 1.4 document with the given pages (and an Info dictionary with `title`). */
export function makePdf(pages: readonly TestPage[], title = 'Ferry test'): Buffer {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // pages tree, filled in once the kids are known
  const kids: number[] = [];
  for (const p of pages) {
    const [r, g, b] = p.rgb;
    const stream = `${r} ${g} ${b} rg 10 10 ${p.width - 20} ${p.height - 20} re f`;
    const content = add(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${p.width} ${p.height}] /Contents ${content} 0 R /Resources << >> >>`));
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  const info = add(`<< /Title (${title}) /Producer (Ferry tests) >>`);
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${info} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
