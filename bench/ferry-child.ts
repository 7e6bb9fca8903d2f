/**
 * One Ferry upload in its own process (bench (e)): the same footing as the filestack-js child,
 * which also runs apart from the local cloud. Args: apikey, file, base URL. Prints one JSON line.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createFilestackProvider } from '../src-main/providers/filestack/provider.js';
import { memoryCheckpoint } from './lib.js';

const [apikey = '', file = '', base = ''] = process.argv.slice(2);
const size = (await stat(file)).size;
const provider = createFilestackProvider({ kind: 'local', apikey, uploadBase: base, cdnBase: base, fileApiBase: `${base}/api/file` });
const t0 = performance.now();
try {
  const r = await provider.upload(
    { path: file, name: path.basename(file), relativePath: null, size, mimetype: 'application/octet-stream' },
    { signal: new AbortController().signal, onProgress: () => undefined, checkpoint: memoryCheckpoint() },
  );
  console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, handle: r.remoteId, size: r.size }));
} catch (err) {
  console.log(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
}
