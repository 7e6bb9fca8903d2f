/**
 * Streams a ZIP archive of stored files (Filestack `zip`): entries are read from disk while the
 * archive is written, so zipping large files never holds them in memory.
 */
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';

/** One archive entry: a file on disk (streamed) or small bytes. */
export type ZipEntry = { readonly name: string; readonly mtime: Date } & ({ readonly path: string } | { readonly data: Buffer });

/** Makes a name safe inside an archive: no folders, no `..`, no control characters. */
function safeName(name: string): string {
  const flat = name.replace(/[\\/]+/g, '_').replace(/[\u0000-\u001f\u007f]/g, '');
  return flat === '' || flat === '.' || flat === '..' ? 'file' : flat;
}

/** Appends ` (2)`, ` (3)`... before the extension of repeated names, so no entry hides another. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw) => {
    const name = safeName(raw);
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let n = 2; seen.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

/** The archive as a stream; entry names are made safe and unique. */
export function zipStream(entries: readonly ZipEntry[]): Readable {
  const zip = new ZipFile();
  const names = uniqueNames(entries.map((e) => e.name));
  entries.forEach((entry, i) => {
    const name = names[i] ?? `file-${i + 1}`;
    if ('path' in entry) zip.addFile(entry.path, name, { mtime: entry.mtime });
    else zip.addBuffer(entry.data, name, { mtime: entry.mtime });
  });
  zip.end();
  return zip.outputStream as Readable;
}
