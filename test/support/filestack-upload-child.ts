/**
 * Ferry's Filestack client in a child process: `node --import tsx filestack-upload-child.ts
 * BASE APIKEY FILE [intelligent]` uploads FILE (verified against the stored object) and prints
 * one JSON line `{remoteId, url}` or `{error}`. A child, so a test can give it environment that
 * only counts at start-up (NODE_EXTRA_CA_CERTS for a local cloud served over TLS).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createFilestackProvider } from '../../src-main/providers/filestack/provider.js';

const [base = '', apikey = '', file = '', mode = ''] = process.argv.slice(2);
const provider = createFilestackProvider({ kind: 'local', apikey, uploadBase: base, cdnBase: base, fileApiBase: base, ...(mode === 'intelligent' ? { intelligent: true } : {}) });
const noCheckpoint = { load: () => undefined, save: () => undefined, clear: () => undefined };
try {
  const size = (await stat(file)).size;
  const up = await provider.upload(
    { path: file, name: path.basename(file), relativePath: null, size, mimetype: 'application/octet-stream' },
    { signal: new AbortController().signal, onProgress: () => undefined, checkpoint: noCheckpoint },
  );
  process.stdout.write(`${JSON.stringify({ remoteId: up.remoteId, url: up.url })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exitCode = 2;
}
