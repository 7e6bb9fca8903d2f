/**
 * Bench (e): the official filestack-js client (4.3.8, Node build) and Ferry's provider uploading
 * the same file to the same local cloud, each from its own process. Its Node HTTP adapter drops explicit ports, so the cloud listens on plain
 * http://127.0.0.1 (port 80; benches run as root) and advertises that as its base URL, exactly
 * like test/providers/filestack-interop.test.ts. The client runs in a child process so a crash
 * in it cannot end the bench; it times its own upload (reading the file into memory first, as
 * its Node build needs a Buffer) and prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startLocalCloud } from '../src-main/localcloud/server.js';
import { fileURLToPath } from 'node:url';
import { sha256 } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const APIKEY = 'BenchFilestackJsKey001';

const CHILD = String.raw`
const fs = require('fs');
const filestack = require(process.env.FS_JS);
const [apikey, file] = process.argv.slice(2);
const out = (v) => { process.stdout.write(JSON.stringify(v) + '\n'); process.exit(v.error ? 2 : 0); };
process.on('uncaughtException', (e) => out({ error: String(e && e.message || e) }));
process.on('unhandledRejection', (e) => out({ error: String(e && e.message || e) }));
const base = 'http://127.0.0.1';
const client = filestack.init(apikey);
client.session.urls = { ...client.session.urls, uploadApiUrl: base, cdnUrl: base, fileApiUrl: base + '/api/file', processUrl: base };
const data = fs.readFileSync(file);
const t0 = performance.now();
client.upload(data, { retry: 0 }, { filename: 'bench-sdk.bin' }).then(
  (r) => out({ seconds: (performance.now() - t0) / 1000, handle: r.handle, size: r.size }),
  (e) => out({ error: String(e && e.message || e) }),
);
`;

export type Timed = { seconds: number; intact: boolean };
export type SdkResult = { sdk: Timed; ferry: Timed } | { skipped: string };

function runChild(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { env, maxBuffer: 1 << 20, timeout: 30 * 60_000 }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>);
      } catch {
        resolve({ error: `child gave no answer (${err?.message ?? 'no output'})` });
      }
    });
  });
}

/**
 * Uploads `file` with filestack-js and then with Ferry's provider, each in a child process, to
 * one fresh local cloud on port 80 in `dataDir` (this process serves it for both).
 */
export async function filestackJsUpload(file: string, dataDir: string): Promise<SdkResult> {
  let cloud;
  try {
    cloud = await startLocalCloud({ dataDir, port: 80, apps: [{ apikey: APIKEY }] });
  } catch (err) {
    return { skipped: `port 80 is not available (${(err as NodeJS.ErrnoException).code ?? String(err)}); filestack-js needs a port-less URL` };
  }
  try {
    cloud.context.baseUrl = 'http://127.0.0.1';
    const script = path.join(dataDir, 'sdk-child.cjs');
    await writeFile(script, CHILD);
    const digest = await sha256(file);
    const intact = async (handle: unknown): Promise<boolean> => digest === (await sha256(cloud.storage.blobPath(String(handle))));
    const sdk = await runChild([script, APIKEY, file], { ...process.env, FS_JS: path.resolve('node_modules/filestack-js') });
    if (typeof sdk.error === 'string') return { skipped: `filestack-js failed: ${sdk.error.slice(0, 200)}` };
    const ferry = await runChild(['--import', 'tsx', path.join(here, 'ferry-child.ts'), APIKEY, file, 'http://127.0.0.1'], process.env);
    if (typeof ferry.error === 'string') throw new Error(`Ferry child failed: ${ferry.error}`);
    return {
      sdk: { seconds: Number(sdk.seconds), intact: await intact(sdk.handle) },
      ferry: { seconds: Number(ferry.seconds), intact: await intact(ferry.handle) },
    };
  } finally {
    await cloud.close();
  }
}
